import { describe, expect, it } from "vitest";
import type { LaunchRecord } from "@/lib/session/launch-record";
import { launchContextShared, patientContextProblem } from "@/lib/smart/context-checks";

function record(kind: LaunchRecord["kind"], scope: string, context: LaunchRecord["context"]): LaunchRecord {
  return {
    id: "launch-0123456789abcdef",
    kind,
    iss: "https://ehr.example/fhir",
    createdAt: 0,
    requestedScope: scope,
    launchContext: {},
    tokens: { accessToken: "a", tokenType: "bearer", scope, expiresAt: 0 },
    context,
  };
}

describe("patientContextProblem", () => {
  it("accepts a full EHR grant", () => {
    expect(patientContextProblem(record("ehr", "launch openid patient/*.rs", { patient: "p1" }))).toBeUndefined();
  });

  it("explains a refused launch scope", () => {
    expect(patientContextProblem(record("ehr", "openid patient/*.rs", { patient: "p1" }))?.title).toBe("The EHR's patient was not shared");
  });

  it("explains refused patient data", () => {
    expect(patientContextProblem(record("ehr", "launch openid", { patient: "p1" }))?.title).toBe("No access to patient data");
  });

  it("explains a patient user on another chart", () => {
    const problem = patientContextProblem(record("ehr", "launch patient/*.rs", { patient: "p1", fhirUser: "Patient/p2" }));
    expect(problem?.title).toBe("Signed in as another patient");
  });

  it("accepts user scopes on a standalone launch", () => {
    expect(patientContextProblem(record("standalone", "launch/patient user/*.rs", { patient: "p1", fhirUser: "Practitioner/x" }))).toBeUndefined();
  });
});

describe("launchContextShared", () => {
  it("shared when launch is granted", () => {
    expect(launchContextShared(record("ehr", "launch openid patient/*.rs", { patient: "p1" }))).toBe(true);
  });

  it("not shared without launch", () => {
    expect(launchContextShared(record("ehr", "openid patient/*.rs", { patient: "p1" }))).toBe(false);
  });

  it("shared on standalone launches", () => {
    expect(launchContextShared(record("standalone", "launch/patient patient/*.rs", { patient: "p1" }))).toBe(true);
  });
});
