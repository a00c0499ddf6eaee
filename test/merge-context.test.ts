import { describe, expect, it } from "vitest";
import { mergeContext, withIdentityScopes } from "@/lib/smart/callback";

const PRACTITIONER = "Practitioner/pract-1";
const launchContext = { patient: "p1", fhirUser: PRACTITIONER };

describe("mergeContext fhirUser", () => {
  it("keeps a granted fhirUser", () => {
    const context = mergeContext({}, { fhirUser: PRACTITIONER }, undefined, {}, "launch openid fhirUser patient/*.rs");
    expect(context.fhirUser).toBe(PRACTITIONER);
  });

  it("drops denied fhirUser from tokens", () => {
    const context = mergeContext({ fhirUser: PRACTITIONER }, { fhirUser: PRACTITIONER }, { fhirUser: PRACTITIONER }, {}, "launch openid patient/*.rs");
    expect(context.fhirUser).toBeUndefined();
  });

  it("drops denied fhirUser from EHR", () => {
    const context = mergeContext({}, {}, undefined, launchContext, "launch patient/*.rs");
    expect(context.fhirUser).toBeUndefined();
    expect(context.patient).toBe("p1");
  });

  it("gives no own record without fhirUser", () => {
    const context = mergeContext({}, { fhirUser: "Patient/p9" }, undefined, {}, "launch/patient patient/*.rs");
    expect(context.patient).toBeUndefined();
  });

  it("gives a patient user their record", () => {
    const context = mergeContext({}, { fhirUser: "Patient/p9" }, undefined, {}, "launch/patient fhirUser patient/*.rs");
    expect(context.patient).toBe("p9");
  });
});

describe("withIdentityScopes", () => {
  it("adds identity scopes from id token", () => {
    expect(withIdentityScopes("patient/*.rs", { fhirUser: PRACTITIONER })).toBe("patient/*.rs openid fhirUser");
  });

  it("adds only openid without fhirUser claim", () => {
    expect(withIdentityScopes("patient/*.rs", {})).toBe("patient/*.rs openid");
  });

  it("trusts a scope that lists openid", () => {
    expect(withIdentityScopes("openid patient/*.rs", { fhirUser: PRACTITIONER })).toBe("openid patient/*.rs");
  });

  it("leaves the scope without id token", () => {
    expect(withIdentityScopes("patient/*.rs", undefined)).toBe("patient/*.rs");
  });
});
