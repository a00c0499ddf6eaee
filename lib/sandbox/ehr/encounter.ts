import { Operator } from "@medplum/core";
import type { Encounter } from "@medplum/fhirtypes";
import { getSandboxRepository } from "@/lib/sandbox/fhir/store";

/** Return the id of the patient's most recent Encounter by its `date` search parameter (period), or undefined when there is none. */
export async function latestEncounterId(patientId: string): Promise<string | undefined> {
  const repository = await getSandboxRepository();
  const bundle = await repository.search<Encounter>({
    resourceType: "Encounter",
    filters: [{ code: "patient", operator: Operator.EQUALS, value: `Patient/${patientId}` }],
    sortRules: [{ code: "date", descending: true }],
    count: 1,
  });
  return bundle.entry?.[0]?.resource?.id;
}
