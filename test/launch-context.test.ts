import { beforeAll, describe, expect, it } from "vitest";
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTVerifyGetKey } from "jose";
import type { TrustedIssuer } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { findTrustedIssuer, resolveLaunchContext } from "@/lib/smart/launch-context";

const EHR: TrustedIssuer = {
  iss: "https://ehr.example/fhir",
  name: "Example EHR",
  launchContext: { type: "launch-token", issuer: "https://ehr.example", jwksUrl: "https://ehr.example/jwks" },
  frameAncestors: ["https://ehr.example"],
};
const OTHER_EHR: TrustedIssuer = { ...EHR, iss: "https://other.example/fhir", launchContext: { type: "launch-token", issuer: "https://other.example", jwksUrl: "https://other.example/jwks" } };
const CLAIMS_EHR: TrustedIssuer = { ...EHR, iss: "https://claims.example/r4", launchContext: { type: "token-claims" } };

let privateKey: CryptoKey;
let keySet: JWTVerifyGetKey;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  privateKey = pair.privateKey;
  keySet = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: "ehr-1", alg: "RS256" }] });
});

function launchToken(claims: Record<string, unknown> = {}, issuer = "https://ehr.example", audience = EHR.iss) {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: issuer, aud: audience, jti: crypto.randomUUID(), iat: now, exp: now + 300, patient: "p1", encounter: "e1", fhirUser: "Practitioner/9", need_patient_banner: false, ...claims };
  return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: "ehr-1" }).sign(privateKey);
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof AppError ? error.code : "not-app-error";
  }
  return undefined;
}

async function asyncCodeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof AppError ? error.code : "not-app-error"),
  );
}

describe("findTrustedIssuer", () => {
  const issuers = [EHR, OTHER_EHR];

  it("finds an exact match", () => {
    expect(findTrustedIssuer("https://ehr.example/fhir", issuers)).toBe(EHR);
  });

  it.each([
    ["untrusted host", "https://evil.example/fhir"],
    ["shared prefix", "https://ehr.example/fhir.evil.example"],
    ["longer path", "https://ehr.example/fhir/evil"],
    ["userinfo", "https://user:pass@ehr.example/fhir"],
    ["unusual port", "https://ehr.example:8443/fhir"],
    ["other scheme", "http://ehr.example/fhir"],
    ["not a URL", "ehr.example/fhir"],
  ])("rejects %s", (_name, iss) => {
    expect(codeOf(() => findTrustedIssuer(iss, issuers))).toBe("untrusted_issuer");
  });

  it("rejects a missing iss", () => {
    expect(codeOf(() => findTrustedIssuer(null, issuers))).toBe("invalid_launch_request");
  });
});

describe("resolveLaunchContext", () => {
  it("reads the context from a valid launch token", async () => {
    const context = await resolveLaunchContext(EHR, await launchToken(), keySet);
    expect(context).toMatchObject({ patient: "p1", encounter: "e1", fhirUser: "Practitioner/9", needPatientBanner: false });
  });

  it("rejects a replayed launch token", async () => {
    const token = await launchToken();
    await resolveLaunchContext(EHR, token, keySet);
    expect(await asyncCodeOf(resolveLaunchContext(EHR, token, keySet))).toBe("invalid_launch_token");
  });

  it("rejects an expired launch token", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await asyncCodeOf(resolveLaunchContext(EHR, await launchToken({ iat: now - 900, exp: now - 300 }), keySet))).toBe("invalid_launch_token");
  });

  it("rejects a token for another FHIR server", async () => {
    expect(await asyncCodeOf(resolveLaunchContext(EHR, await launchToken({}, "https://ehr.example", OTHER_EHR.iss), keySet))).toBe("invalid_launch_token");
  });

  it("rejects a token from another EHR", async () => {
    expect(await asyncCodeOf(resolveLaunchContext(OTHER_EHR, await launchToken({}, "https://ehr.example", OTHER_EHR.iss), keySet))).toBe("invalid_launch_token");
  });

  it("rejects a forged token", async () => {
    const forger = await generateKeyPair("RS256");
    const forged = await new SignJWT({ patient: "p2" }).setProtectedHeader({ alg: "RS256", kid: "ehr-1" }).setIssuer("https://ehr.example").setAudience(EHR.iss).setJti("x").setIssuedAt().setExpirationTime("5m").sign(forger.privateKey);
    expect(await asyncCodeOf(resolveLaunchContext(EHR, forged, keySet))).toBe("invalid_launch_token");
  });

  it("rejects a missing launch", async () => {
    expect(await asyncCodeOf(resolveLaunchContext(EHR, null, keySet))).toBe("invalid_launch_request");
  });

  it("leaves context empty for token-claims issuers", async () => {
    expect(await resolveLaunchContext(CLAIMS_EHR, "opaque-launch-id", keySet)).toEqual({});
  });
});
