import type { Bundle, Condition, MedicationRequest, Observation, Patient, Resource } from "@medplum/fhirtypes";
import { isResourceType, parseSearchRequest } from "@medplum/core";
import { beforeAll, describe, expect, it } from "vitest";
import { extractBundleResources } from "@/lib/sandbox/fhir/bundle-loader";
import { loadFhirDefinitions } from "@/lib/sandbox/fhir/definitions";
import { generateSandboxBundle, SANDBOX_MRN_SYSTEM } from "@/lib/sandbox/fhir/generate";
import { SandboxRepository } from "@/lib/sandbox/fhir/repository";
import { SANDBOX_PRACTITIONER_ID } from "@/lib/sandbox/fhir/store";

function resourcesOf<T extends Resource>(bundle: Bundle, type: T["resourceType"]): T[] {
  return (bundle.entry ?? []).map((entry) => entry.resource).filter((resource): resource is T => resource?.resourceType === type);
}

function codesOf(resources: Array<{ code?: { coding?: Array<{ system?: string; code?: string }> } }>): string[] {
  return resources.flatMap((resource) => resource.code?.coding ?? []).map((coding) => `${coding.system}|${coding.code}`);
}

describe("generateSandboxBundle", () => {
  const bundle = generateSandboxBundle({ seed: 42, patientCount: 8 });
  const patients = resourcesOf<Patient>(bundle, "Patient");

  it("is identical for the same seed", () => {
    expect(JSON.stringify(generateSandboxBundle({ seed: 42, patientCount: 8 }))).toBe(JSON.stringify(bundle));
  });

  it("differs for another seed", () => {
    const other = resourcesOf<Patient>(generateSandboxBundle({ seed: 43, patientCount: 8 }), "Patient");

    expect(other.map((patient) => patient.id)).not.toEqual(patients.map((patient) => patient.id));
  });

  it("keeps each patient whatever the count", () => {
    const smaller = resourcesOf<Patient>(generateSandboxBundle({ seed: 42, patientCount: 3 }), "Patient");

    expect(smaller).toEqual(patients.slice(0, 3));
  });

  it("makes the requested number of patients", () => {
    expect(patients).toHaveLength(8);
    expect(new Set(patients.map((patient) => patient.id)).size).toBe(8);
  });

  it("names patients with an apostrophe and accents", () => {
    const families = patients.map((patient) => patient.name?.[0]?.family ?? "");
    const names = patients.map((patient) => patient.name?.[0]?.text ?? "");

    expect(families[0]).toContain("'");
    expect(names.slice(0, 2).every((name) => /[^\x00-\x7f]/.test(name))).toBe(true);
  });

  it("gives every patient the core demographics", () => {
    for (const patient of patients) {
      expect(patient.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(["female", "male"]).toContain(patient.gender);
      expect(patient.identifier?.[0]).toMatchObject({ system: SANDBOX_MRN_SYSTEM, type: { coding: [{ code: "MR" }] } });
      expect(patient.generalPractitioner?.[0]?.reference).toBe(`Practitioner/${SANDBOX_PRACTITIONER_ID}`);
    }
  });

  it("records vital signs with LOINC codes", () => {
    const codes = new Set(codesOf(resourcesOf<Observation>(bundle, "Observation")));

    for (const code of ["8867-4", "85354-9", "29463-7"]) expect(codes).toContain(`http://loinc.org|${code}`);
  });

  it("records blood pressure as two components", () => {
    const pressure = resourcesOf<Observation>(bundle, "Observation").find((observation) => observation.code?.coding?.[0]?.code === "85354-9");

    expect(pressure?.component?.map((component) => component.code.coding?.[0]?.code)).toEqual(["8480-6", "8462-4"]);
    expect(pressure?.component?.[0]?.valueQuantity?.unit).toBe("mm[Hg]");
  });

  it("records lab results over time", () => {
    const labs = resourcesOf<Observation>(bundle, "Observation").filter((observation) => observation.category?.[0]?.coding?.[0]?.code === "laboratory");
    const dates = new Set(labs.map((observation) => observation.effectiveDateTime?.slice(0, 10)));

    expect(labs.length).toBeGreaterThan(0);
    expect(dates.size).toBeGreaterThan(patients.length);
    expect(labs.every((observation) => observation.referenceRange?.length === 1 && observation.interpretation?.length === 1)).toBe(true);
  });

  it("codes conditions in SNOMED and medications in RxNorm", () => {
    const conditions = resourcesOf<Condition>(bundle, "Condition");
    const medications = resourcesOf<MedicationRequest>(bundle, "MedicationRequest");

    expect(conditions.length).toBeGreaterThanOrEqual(patients.length);
    expect(codesOf(conditions).every((code) => code.startsWith("http://snomed.info/sct|"))).toBe(true);
    expect(medications.map((request) => request.medicationCodeableConcept?.coding?.[0]?.system)).toSatisfy((systems: unknown[]) =>
      systems.every((system) => system === "http://www.nlm.nih.gov/research/umls/rxnorm"),
    );
  });

  it("includes allergies, encounters and immunizations", () => {
    for (const type of ["AllergyIntolerance", "Encounter", "Immunization"] as const) {
      expect(resourcesOf(bundle, type).length, type).toBeGreaterThan(0);
    }
  });

  it("dates nothing after the history end", () => {
    const text = JSON.stringify(bundle);
    const years = [...text.matchAll(/"(\d{4})-\d{2}-\d{2}/g)].map((match) => Number(match[1]));

    expect(Math.max(...years)).toBeLessThanOrEqual(2025);
  });
});

describe("generated data in the repository", () => {
  let repository: SandboxRepository;
  const loaded = extractBundleResources(generateSandboxBundle({ seed: 7, patientCount: 4 }), "generator");

  beforeAll(async () => {
    loadFhirDefinitions();
    repository = new SandboxRepository();
    for (const resource of loaded.resources) await repository.createResource(resource);
  });

  it("loads without problems", () => {
    expect(loaded.problems).toEqual([]);
    expect(loaded.resources.every((resource) => isResourceType(resource.resourceType))).toBe(true);
  });

  it("links observations to their patient", async () => {
    const patients = await repository.search<Patient>({ resourceType: "Patient" });
    const first = patients.entry?.[0]?.resource;
    const observations = await repository.search<Observation>(parseSearchRequest("Observation", { patient: `Patient/${first?.id}` }));

    expect(observations.total).toBeGreaterThan(20);
  });

  it("finds a patient by MRN", async () => {
    const patient = loaded.resources.find((resource): resource is Patient => resource.resourceType === "Patient");
    const mrn = patient?.identifier?.[0]?.value;
    const result = await repository.search<Patient>(parseSearchRequest("Patient", { identifier: `${SANDBOX_MRN_SYSTEM}|${mrn}` }));

    expect(result.entry?.map((entry) => entry.resource?.id)).toEqual([patient?.id]);
  });
});
