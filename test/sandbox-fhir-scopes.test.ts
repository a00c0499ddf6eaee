import { beforeAll, describe, expect, it } from "vitest";
import type { Observation, Patient, Practitioner } from "@medplum/fhirtypes";
import { authorizeRead, authorizeSearch, belongsToPatient, grantFromClaims } from "@/lib/sandbox/fhir/access";
import { loadFhirDefinitions } from "@/lib/sandbox/fhir/definitions";
import { FhirServerError } from "@/lib/sandbox/fhir/errors";
import { parseResourceScope, parseScopes, scopesAllowing, searchFitsScopeParameters } from "@/lib/sandbox/fhir/scopes";

const patient = (id: string): Patient => ({ resourceType: "Patient", id });
const observation = (id: string, patientId: string, category = "vital-signs"): Observation => ({
  resourceType: "Observation",
  id,
  status: "final",
  code: { text: "Heart rate" },
  subject: { reference: `Patient/${patientId}` },
  category: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: category }] }],
});
const practitioner: Practitioner = { resourceType: "Practitioner", id: "other-practitioner" };

function expectDenied(action: () => unknown): FhirServerError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(FhirServerError);
    expect((error as FhirServerError).code).toBe("insufficient_scope");
    expect((error as FhirServerError).status).toBe(403);
    return error as FhirServerError;
  }
  throw new Error("expected the access check to throw insufficient_scope");
}

describe("parseResourceScope", () => {
  it.each([
    ["patient/*.read", { context: "patient", resourceType: "*", canRead: true, canSearch: true }],
    ["patient/Observation.read", { context: "patient", resourceType: "Observation", canRead: true, canSearch: true }],
    ["user/*.read", { context: "user", resourceType: "*", canRead: true, canSearch: true }],
    ["user/*.*", { context: "user", resourceType: "*", canRead: true, canSearch: true }],
    ["patient/*.write", { context: "patient", resourceType: "*", canRead: false, canSearch: false }],
    ["patient/*.rs", { context: "patient", resourceType: "*", canRead: true, canSearch: true }],
    ["patient/Observation.r", { context: "patient", resourceType: "Observation", canRead: true, canSearch: false }],
    ["patient/Observation.s", { context: "patient", resourceType: "Observation", canRead: false, canSearch: true }],
    ["user/Patient.cruds", { context: "user", resourceType: "Patient", canRead: true, canSearch: true }],
    ["patient/Condition.cud", { context: "patient", resourceType: "Condition", canRead: false, canSearch: false }],
  ])("parses %s", (scope, expected) => {
    expect(parseResourceScope(scope)).toMatchObject({ ...expected, scope, parameters: [] });
  });

  it("keeps the parameters of a v2 scope", () => {
    const parsed = parseResourceScope("patient/Observation.rs?category=laboratory");

    expect(parsed?.parameters).toEqual([["category", "laboratory"]]);
    expect(parsed?.canSearch).toBe(true);
  });

  it.each(["*.*", "openid", "launch/patient", "system/*.read", "patient/*.sr", "patient/*.", "patient/observation.read", "patient/*.rs?", "patient/*.x"])(
    "ignores %s",
    (scope) => {
      expect(parseResourceScope(scope)).toBeUndefined();
    },
  );

  it("parses only resource scopes from a claim", () => {
    const scopes = parseScopes("openid fhirUser launch patient/Observation.rs  user/Practitioner.read offline_access");

    expect(scopes.map((scope) => scope.scope)).toEqual(["patient/Observation.rs", "user/Practitioner.read"]);
  });

  it("treats a missing claim as no scopes", () => {
    expect(parseScopes(undefined)).toEqual([]);
  });
});

describe("scopesAllowing", () => {
  const scopes = parseScopes("patient/Observation.r patient/Condition.s user/*.read");

  it("separates read from search", () => {
    expect(scopesAllowing(scopes, "read", "Observation").map((scope) => scope.scope)).toEqual(["patient/Observation.r", "user/*.read"]);
    expect(scopesAllowing(scopes, "search", "Observation").map((scope) => scope.scope)).toEqual(["user/*.read"]);
    expect(scopesAllowing(scopes, "search", "Condition").map((scope) => scope.scope)).toEqual(["patient/Condition.s", "user/*.read"]);
  });
});

describe("searchFitsScopeParameters", () => {
  const scope = parseResourceScope("patient/Observation.rs?category=laboratory");
  if (!scope) throw new Error("scope did not parse");

  it("accepts a search that carries the scope's value", () => {
    expect(searchFitsScopeParameters(scope, [["category", "laboratory"], ["code", "http://loinc.org|2339-0"]])).toBe(true);
  });

  it("rejects a search without the parameter", () => {
    expect(searchFitsScopeParameters(scope, [["code", "http://loinc.org|2339-0"]])).toBe(false);
  });

  it("rejects a search that widens the value", () => {
    expect(searchFitsScopeParameters(scope, [["category", "laboratory,vital-signs"]])).toBe(false);
  });
});

describe("access checks", () => {
  beforeAll(() => {
    loadFhirDefinitions();
  });

  describe("authorizeRead", () => {
    it("lets a patient scope read its own patient", () => {
      const grant = grantFromClaims({ scope: "patient/*.rs", patient: "p1" });

      expect(() => authorizeRead(grant, patient("p1"))).not.toThrow();
      expect(() => authorizeRead(grant, observation("o1", "p1"))).not.toThrow();
    });

    it("denies another patient with 403", () => {
      const grant = grantFromClaims({ scope: "patient/*.read", patient: "p1" });

      expectDenied(() => authorizeRead(grant, patient("p2")));
      expectDenied(() => authorizeRead(grant, observation("o2", "p2")));
    });

    it("denies a patient scope without patient context", () => {
      const grant = grantFromClaims({ scope: "patient/*.rs" });

      expectDenied(() => authorizeRead(grant, patient("p1")));
    });

    it("lets a user scope read anyone", () => {
      const grant = grantFromClaims({ scope: "user/*.read", patient: "p1" });

      expect(() => authorizeRead(grant, patient("p2"))).not.toThrow();
      expect(() => authorizeRead(grant, observation("o2", "p2"))).not.toThrow();
    });

    it("denies a type the scopes do not name", () => {
      const grant = grantFromClaims({ scope: "patient/Observation.rs", patient: "p1" });

      const error = expectDenied(() => authorizeRead(grant, patient("p1")));
      expect(error.options.requiredScope).toBe("patient/Patient.r");
    });

    it("denies read with a search-only scope", () => {
      const grant = grantFromClaims({ scope: "patient/Observation.s", patient: "p1" });

      expectDenied(() => authorizeRead(grant, observation("o1", "p1")));
    });

    it("always allows the fhirUser resource", () => {
      const grant = grantFromClaims({ scope: "patient/Observation.rs", patient: "p1", fhirUser: "Practitioner/sandbox-practitioner" });

      expect(() => authorizeRead(grant, { resourceType: "Practitioner", id: "sandbox-practitioner" })).not.toThrow();
      expectDenied(() => authorizeRead(grant, practitioner));
    });

    it("allows types outside the compartment under patient/*", () => {
      const grant = grantFromClaims({ scope: "patient/*.rs", patient: "p1" });

      expect(() => authorizeRead(grant, practitioner)).not.toThrow();
    });

    it("applies scope parameters to reads", () => {
      const grant = grantFromClaims({ scope: "patient/Observation.rs?category=laboratory", patient: "p1" });

      expect(() => authorizeRead(grant, observation("lab", "p1", "laboratory"))).not.toThrow();
      expectDenied(() => authorizeRead(grant, observation("vital", "p1", "vital-signs")));
    });
  });

  describe("authorizeSearch", () => {
    it("confines a patient scope to its patient", () => {
      const grant = grantFromClaims({ scope: "patient/*.rs", patient: "p1" });

      expect(authorizeSearch(grant, "Observation", [])).toEqual({ patient: "p1" });
      expect(authorizeSearch(grant, "Observation", [["patient", "Patient/p1"]])).toEqual({ patient: "p1" });
      expect(authorizeSearch(grant, "Patient", [["name", "smith"]])).toEqual({ patient: "p1" });
    });

    it("denies a search naming another patient", () => {
      const grant = grantFromClaims({ scope: "patient/*.rs", patient: "p1" });

      expectDenied(() => authorizeSearch(grant, "Observation", [["patient", "Patient/p2"]]));
      expectDenied(() => authorizeSearch(grant, "Observation", [["subject", "Patient/p1,Patient/p2"]]));
      expectDenied(() => authorizeSearch(grant, "Patient", [["_id", "p2"]]));
    });

    it("leaves user scopes unconfined", () => {
      const grant = grantFromClaims({ scope: "user/*.rs", patient: "p1" });

      expect(authorizeSearch(grant, "Observation", [["patient", "Patient/p2"]])).toEqual({});
    });

    it("requires the s permission", () => {
      const grant = grantFromClaims({ scope: "patient/Observation.r", patient: "p1" });

      const error = expectDenied(() => authorizeSearch(grant, "Observation", []));
      expect(error.options.requiredScope).toBe("patient/Observation.s");
    });

    it("requires the parameters of a v2 scope", () => {
      const grant = grantFromClaims({ scope: "patient/Observation.rs?category=laboratory", patient: "p1" });

      expect(authorizeSearch(grant, "Observation", [["category", "laboratory"]])).toEqual({ patient: "p1" });
      expectDenied(() => authorizeSearch(grant, "Observation", []));
      expectDenied(() => authorizeSearch(grant, "Observation", [["category", "vital-signs"]]));
    });

    it("denies types the scopes do not name", () => {
      const grant = grantFromClaims({ scope: "patient/Observation.rs", patient: "p1" });

      expectDenied(() => authorizeSearch(grant, "Condition", []));
    });
  });

  describe("belongsToPatient", () => {
    it("follows the Patient compartment definition", () => {
      expect(belongsToPatient(observation("o1", "p1"), "p1")).toBe(true);
      expect(belongsToPatient(observation("o1", "p1"), "p2")).toBe(false);
      expect(belongsToPatient({ resourceType: "AllergyIntolerance", id: "a", patient: { reference: "Patient/p1" } } as never, "p1")).toBe(true);
      expect(belongsToPatient(practitioner, "p1")).toBe(true);
    });
  });
});

describe("patient users", () => {
  const own = { resourceType: "Patient", id: "p1" } as const;
  const other = { resourceType: "Patient", id: "p2" } as const;

  it("confine user scopes to their own record", () => {
    const grant = grantFromClaims({ scope: "user/*.rs", fhirUser: "Patient/p1" });
    expect(() => authorizeRead(grant, own)).not.toThrow();
    expect(() => authorizeRead(grant, other)).toThrow();
  });

  it("ignore a patient claim naming someone else", () => {
    const grant = grantFromClaims({ scope: "user/*.rs patient/*.rs", patient: "p2", fhirUser: "Patient/p1" });
    expect(grant.patient).toBe("p1");
    expect(() => authorizeRead(grant, other)).toThrow();
  });
});
