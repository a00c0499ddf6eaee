import { beforeAll, describe, expect, it } from "vitest";
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWK, type JWTVerifyGetKey } from "jose";
import { AppError } from "@/lib/errors";
import { verifyAccessToken, verifyIdToken } from "@/lib/oauth/verify-tokens";

const ISSUER = "https://api.descope.com/v1/apps/P2abcDEF123";
const FHIR_BASE = "https://ehr.example/fhir";
const CLIENT_ID = "UDJhYmNERUYxMjM6VFBBMm";
const NOW = () => Math.floor(Date.now() / 1000);

let privateKey: CryptoKey;
let keySet: JWTVerifyGetKey;
let publicJwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: "key-1", alg: "RS256", use: "sig" };
  keySet = createLocalJWKSet({ keys: [publicJwk] });
});

function descopeAccessToken(overrides: Record<string, unknown> = {}, kid = "key-1") {
  const claims = {
    iss: ISSUER,
    sub: "U2user",
    aud: ["P2abcDEF123", CLIENT_ID, FHIR_BASE],
    iat: NOW(),
    exp: NOW() + 300,
    scope: "launch openid patient/*.rs",
    fhirUser: "Practitioner/1",
    patient: "123",
    ...overrides,
  };
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid }).sign(privateKey);
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("verifyAccessToken", () => {
  it("accepts a Descope-shaped token", async () => {
    const claims = await verifyAccessToken(await descopeAccessToken(), { issuer: ISSUER, fhirBase: FHIR_BASE, keySet });
    expect(claims.scope).toBe("launch openid patient/*.rs");
    expect(claims.patient).toBe("123");
  });

  it("accepts aud as a plain string", async () => {
    const token = await new SignJWT({ scope: "openid" }).setProtectedHeader({ alg: "RS256", kid: "key-1" }).setIssuer(ISSUER).setAudience(FHIR_BASE).setIssuedAt().setExpirationTime("5m").sign(privateKey);
    await expect(verifyAccessToken(token, { issuer: ISSUER, fhirBase: FHIR_BASE, keySet })).resolves.toBeTruthy();
  });

  it("rejects wrong aud", async () => {
    const token = await descopeAccessToken({ aud: ["P2abcDEF123", "https://other.example/fhir"] });
    const error = await rejection(verifyAccessToken(token, { issuer: ISSUER, fhirBase: FHIR_BASE, keySet }));
    expect(error.code).toBe("invalid_token");
    expect(error.message).toContain('"aud"');
  });

  it("rejects another project's issuer", async () => {
    const error = await rejection(verifyAccessToken(await descopeAccessToken(), { issuer: "https://api.descope.com/v1/apps/P2other", fhirBase: FHIR_BASE, keySet }));
    expect(error.message).toContain('"iss"');
  });

  it("rejects a bare project id issuer", async () => {
    const token = await descopeAccessToken({ iss: "P2abcDEF123" });
    const error = await rejection(verifyAccessToken(token, { issuer: ISSUER, fhirBase: FHIR_BASE, keySet }));
    expect(error.message).toContain('"iss"');
  });

  it("rejects an expired token", async () => {
    const token = await descopeAccessToken({ iat: NOW() - 3600, exp: NOW() - 600 });
    const error = await rejection(verifyAccessToken(token, { issuer: ISSUER, fhirBase: FHIR_BASE, keySet }));
    expect(error.message).toContain("expired");
  });

  it("rejects a token not yet valid", async () => {
    const token = await descopeAccessToken({ nbf: NOW() + 600 });
    const error = await rejection(verifyAccessToken(token, { issuer: ISSUER, fhirBase: FHIR_BASE, keySet }));
    expect(error.message).toContain('"nbf"');
  });

  it("rejects alg none", async () => {
    const token = new UnsecuredJWT({ scope: "patient/*.rs" }).setIssuer(ISSUER).setAudience(FHIR_BASE).setIssuedAt().setExpirationTime("5m").encode();
    const error = await rejection(verifyAccessToken(token, { issuer: ISSUER, fhirBase: FHIR_BASE, keySet }));
    expect(error.code).toBe("invalid_token");
  });

  it("rejects HS256 signed with the public key", async () => {
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const token = await new SignJWT({ scope: "patient/*.rs" }).setProtectedHeader({ alg: "HS256", kid: "key-1" }).setIssuer(ISSUER).setAudience(FHIR_BASE).setIssuedAt().setExpirationTime("5m").sign(secret);
    const error = await rejection(verifyAccessToken(token, { issuer: ISSUER, fhirBase: FHIR_BASE, keySet }));
    expect(error.message).toContain("algorithm not allowed");
  });

  it("rejects an unknown kid", async () => {
    const error = await rejection(verifyAccessToken(await descopeAccessToken({}, "key-unknown"), { issuer: ISSUER, fhirBase: FHIR_BASE, keySet }));
    expect(error.message).toContain("kid");
  });

  it("rejects a token signed by another key with the same kid", async () => {
    const other = await generateKeyPair("RS256");
    const token = await new SignJWT({}).setProtectedHeader({ alg: "RS256", kid: "key-1" }).setIssuer(ISSUER).setAudience(FHIR_BASE).setIssuedAt().setExpirationTime("5m").sign(other.privateKey);
    const error = await rejection(verifyAccessToken(token, { issuer: ISSUER, fhirBase: FHIR_BASE, keySet }));
    expect(error.message).toContain("signature");
  });
});

describe("verifyIdToken", () => {
  function idToken(nonce: string) {
    return new SignJWT({ nonce, fhirUser: "Practitioner/1", name: "Dr. Test" }).setProtectedHeader({ alg: "RS256", kid: "key-1" }).setIssuer(ISSUER).setSubject("U2user").setAudience(CLIENT_ID).setIssuedAt().setExpirationTime("5m").sign(privateKey);
  }

  it("accepts the launch's nonce", async () => {
    const claims = await verifyIdToken(await idToken("nonce-1"), { issuer: ISSUER, clientId: CLIENT_ID, nonce: "nonce-1", keySet });
    expect(claims.name).toBe("Dr. Test");
  });

  it("rejects a wrong nonce", async () => {
    const error = await rejection(verifyIdToken(await idToken("nonce-2"), { issuer: ISSUER, clientId: CLIENT_ID, nonce: "nonce-1", keySet }));
    expect(error.message).toContain('"nonce"');
  });

  it("rejects another client's id token", async () => {
    const error = await rejection(verifyIdToken(await idToken("nonce-1"), { issuer: ISSUER, clientId: "another-client", nonce: "nonce-1", keySet }));
    expect(error.message).toContain('"aud"');
  });
});
