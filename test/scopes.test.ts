import { describe, expect, it } from "vitest";
import { compareScopes, describeScope, grantsRead, hasScope, normalizeScope, parseScope, splitScopes } from "@/lib/smart/scopes";

describe("parseScope", () => {
  it("parses v2 resource scopes", () => {
    const scope = parseScope("patient/Observation.rs?category=laboratory");
    expect(scope.kind).toBe("resource");
    if (scope.kind !== "resource") return;
    expect(scope.context).toBe("patient");
    expect(scope.resourceType).toBe("Observation");
    expect([...scope.permissions].sort()).toEqual(["r", "s"]);
    expect(scope.query).toBe("?category=laboratory");
  });

  it("maps v1 read, write and star", () => {
    expect(normalizeScope("patient/*.read")).toBe("patient/*.rs");
    expect(normalizeScope("user/Patient.write")).toBe("user/Patient.cud");
    expect(normalizeScope("system/*.*")).toBe("system/*.cruds");
  });

  it("rejects v2 letters out of order", () => {
    expect(parseScope("patient/*.sr").kind).toBe("other");
    expect(parseScope("patient/*.rr").kind).toBe("other");
  });

  it("keeps non-resource scopes", () => {
    expect(parseScope("launch/patient")).toEqual({ kind: "other", raw: "launch/patient" });
    expect(normalizeScope("openid")).toBe("openid");
  });
});

describe("compareScopes", () => {
  it("treats v1 and v2 forms as equal", () => {
    const rows = compareScopes("launch patient/*.read", "launch patient/*.rs");
    expect(rows).toEqual([
      { scope: "launch", status: "granted" },
      { scope: "patient/*.read", status: "granted" },
    ]);
  });

  it("joins a split v2 grant", () => {
    const rows = compareScopes("patient/Observation.rs", "patient/Observation.r patient/Observation.s");
    expect(rows).toEqual([{ scope: "patient/Observation.rs", status: "granted" }]);
  });

  it("marks partial, denied and extra scopes", () => {
    const rows = compareScopes("openid fhirUser patient/Observation.rs offline_access", "openid patient/Observation.r user/Practitioner.rs");
    expect(rows).toContainEqual({ scope: "openid", status: "granted" });
    expect(rows).toContainEqual({ scope: "fhirUser", status: "denied" });
    expect(rows).toContainEqual({ scope: "offline_access", status: "denied" });
    expect(rows).toContainEqual({ scope: "patient/Observation.rs", status: "partly-granted", grantedAs: "patient/Observation.r" });
    expect(rows).toContainEqual({ scope: "user/Practitioner.rs", status: "extra" });
  });

  it("does not count a broader grant as requested", () => {
    const rows = compareScopes("patient/Observation.r", "patient/Observation.cruds");
    expect(rows).toEqual([
      { scope: "patient/Observation.r", status: "granted" },
      { scope: "patient/Observation.cruds", status: "extra" },
    ]);
  });
});

describe("grantsRead", () => {
  it("checks context, type and read permission", () => {
    expect(grantsRead("patient/*.rs", "patient", "Patient")).toBe(true);
    expect(grantsRead("patient/Observation.rs", "patient", "Patient")).toBe(false);
    expect(grantsRead("patient/Patient.s", "patient", "Patient")).toBe(false);
    expect(grantsRead("user/*.read", "patient", "Patient")).toBe(false);
  });
});

describe("splitScopes", () => {
  it("drops blanks and repeats", () => {
    expect(splitScopes("  openid  openid fhirUser ")).toEqual(["openid", "fhirUser"]);
    expect(splitScopes(undefined)).toEqual([]);
  });
});

describe("describeScope", () => {
  it("describes resource scopes", () => {
    expect(describeScope("patient/*.rs")).toBe("Read, search all data of the patient in context");
    expect(describeScope("user/Observation.read")).toBe("Read, search Observation data that you may access");
    expect(describeScope("patient/Observation.rs?category=laboratory")).toBe("Read, search Observation data of the patient in context (only category=laboratory)");
  });

  it("describes identity and launch scopes", () => {
    expect(describeScope("launch")).toBe("Use the patient and encounter open in the EHR");
    expect(describeScope("offline_access")).toBe("Stay connected after you sign out");
    expect(describeScope("custom-scope")).toBe("Permission defined by the server");
  });
});

describe("hasScope", () => {
  it("finds a listed scope", () => {
    expect(hasScope("launch openid fhirUser", "fhirUser")).toBe(true);
  });

  it("matches whole scopes only", () => {
    expect(hasScope("launch/patient", "launch")).toBe(false);
  });

  it("handles a missing scope string", () => {
    expect(hasScope(undefined, "launch")).toBe(false);
  });
});
