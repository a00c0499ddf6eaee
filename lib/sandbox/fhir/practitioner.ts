import type { Practitioner } from "@medplum/fhirtypes";

/** Id of the sandbox's own clinician, the user of every sandbox EHR launch. */
export const SANDBOX_PRACTITIONER_ID = "sandbox-practitioner";

const SANDBOX_PRACTITIONER: Practitioner = {
  resourceType: "Practitioner",
  id: SANDBOX_PRACTITIONER_ID,
  active: true,
  name: [{ use: "official", text: "Dr. Alex Rivera", family: "Rivera", given: ["Alex"], prefix: ["Dr."] }],
  gender: "unknown",
  qualification: [
    {
      code: {
        coding: [{ system: "http://terminology.hl7.org/CodeSystem/v2-0360", code: "MD", display: "Doctor of Medicine" }],
        text: "Doctor of Medicine",
      },
    },
  ],
};

/**
 * Return the sandbox practitioner (`Practitioner/sandbox-practitioner`, "Dr. Alex Rivera").
 * The store always contains it, whatever data it loads. Each call returns a new copy.
 */
export function getSandboxPractitioner(): Practitioner {
  return structuredClone(SANDBOX_PRACTITIONER);
}
