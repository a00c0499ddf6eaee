import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ageInYears, patientName, primaryIdentifier, type Patient } from "@/lib/fhir/format";
import { FIXTURES_DIR } from "./support/app-server";

function fixturePatients(file: string): Patient[] {
  const bundle = JSON.parse(readFileSync(path.join(FIXTURES_DIR, file), "utf8")) as { entry: Array<{ resource: { resourceType: string } }> };
  return bundle.entry.map((entry) => entry.resource).filter((resource): resource is Patient => resource.resourceType === "Patient");
}

describe("patientName", () => {
  it.each([
    ["synthea-maria-luisa-razo.json", "Mrs. María Luisa Razo"],
    ["synthea-mathilda-okeefe.json", "Mathilda O'Keefe"],
    ["synthea-raul-gomez.json", "Mr. Raúl Gómez PhD"],
    ["synthea-patria-schimmel.json", "Mrs. Patria Schimmel"],
    ["hl7-example-peter-chalmers.json", "Peter James Chalmers"],
  ])("names the patient in %s", (file, expected) => {
    expect(patientName(fixturePatients(file)[0])).toBe(expected);
  });

  it("uses text and falls back for no name", () => {
    const [textOnly, noName] = fixturePatients("hl7-edge-patients.json");
    expect(patientName(textOnly)).toBe("张无忌");
    expect(patientName(noName)).toBe("Unnamed patient");
  });
});

describe("ageInYears", () => {
  it("counts whole years", () => {
    expect(ageInYears("1973-08-01", new Date("2026-07-31T12:00:00Z"))).toBe(52);
    expect(ageInYears("1973-08-01", new Date("2026-08-01T12:00:00Z"))).toBe(53);
    expect(ageInYears("1973", new Date("2026-08-01T12:00:00Z"))).toBe(53);
    expect(ageInYears(undefined)).toBeUndefined();
    expect(ageInYears("garbage")).toBeUndefined();
  });
});

describe("primaryIdentifier", () => {
  it("prefers the MRN", () => {
    const [patient] = fixturePatients("synthea-trey-berge.json");
    expect(primaryIdentifier(patient?.identifier)?.label).toBe("MRN");
  });
});
