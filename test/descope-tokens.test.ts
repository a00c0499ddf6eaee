import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { AppError } from "@/lib/errors";
import { getRemoteKeySet, verifyAccessToken } from "@/lib/oauth/verify-tokens";

/**
 * Access tokens shaped exactly like those of a Descope Inbound App, verified
 * against a JWKS served over HTTP on loopback, as the app fetches Descope's.
 *
 * Descope's form: `iss` = `https://api.descope.com/v1/apps/{projectId}`,
 * `aud` = project id, client id and the `resource` (the FHIR base), the
 * granted scopes in `scope`, and JWT template claims such as `fhirUser` and `patient`.
 */
const PROJECT_ID = "P2qVfS8mLxT4nR7bK1cW9dH3jY6z";
const OTHER_PROJECT_ID = "P2zzzOtherProject000000000000";
const CLIENT_ID = "UDJxVmZTOG1MeFQ0blI3YksxY1c5ZEgzalk2ejpUUEEy";
const ISSUER = `https://api.descope.com/v1/apps/${PROJECT_ID}`;
const FHIR_BASE = "https://ehr.example.org/fhir/r4";
const TIMEOUT_MS = 2000;
/** The cooldown that getRemoteKeySet gives jose: one refetch for unknown kids per 30 s. */
const COOLDOWN_MS = 30_000;

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

/** A loopback JWKS endpoint whose keys a test can rotate; it counts the requests it serves. */
class JwksServer {
  private server!: Server;
  private origin = "";
  keys: JWK[] = [];
  requests = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.requests++;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Return a distinct URL per test, because getRemoteKeySet keeps one key set per URL for the whole process. */
  url(name: string): string {
    return `${this.origin}/${PROJECT_ID}/.well-known/jwks.json?case=${name}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function descopeToken(key: SigningKey, overrides: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({
    iss: ISSUER,
    sub: "U2pQk7Xw3mN9rT1vB5cY8dF2hJ4",
    aud: [PROJECT_ID, CLIENT_ID, FHIR_BASE],
    iat: now(),
    exp: now() + 600,
    scope: "launch openid fhirUser patient/*.rs",
    fhirUser: "Practitioner/pract-77",
    patient: "pat-123",
    ...overrides,
  })
    .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
    .sign(key.privateKey);
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const jwks = new JwksServer();
let current: SigningKey;

beforeAll(async () => {
  await jwks.start();
  current = await signingKey("descope-key-2024");
});

afterAll(() => jwks.stop());

afterEach(() => {
  vi.useRealTimers();
});

describe("Descope-shaped access tokens", () => {
  it("accepts the Inbound App form", async () => {
    jwks.keys = [current.publicJwk];
    const keySet = getRemoteKeySet(jwks.url("accepts"), TIMEOUT_MS);

    const claims = await verifyAccessToken(await descopeToken(current), { issuer: ISSUER, fhirBase: FHIR_BASE, keySet });

    expect(claims.iss).toBe(ISSUER);
    expect(claims.aud).toEqual([PROJECT_ID, CLIENT_ID, FHIR_BASE]);
    expect(claims.scope).toBe("launch openid fhirUser patient/*.rs");
    expect(claims.fhirUser).toBe("Practitioner/pract-77");
    expect(claims.patient).toBe("pat-123");
  });

  it("rejects another project's token", async () => {
    jwks.keys = [current.publicJwk];
    const keySet = getRemoteKeySet(jwks.url("other-project"), TIMEOUT_MS);
    const token = await descopeToken(current, { iss: `https://api.descope.com/v1/apps/${OTHER_PROJECT_ID}`, aud: [OTHER_PROJECT_ID, CLIENT_ID, FHIR_BASE] });

    const error = await rejection(verifyAccessToken(token, { issuer: ISSUER, fhirBase: FHIR_BASE, keySet }));

    expect(error.code).toBe("invalid_token");
    expect(error.message).toBe('Access token rejected: claim "iss" failed: unexpected "iss" claim value');
  });

  it("rejects the bare project id issuer", async () => {
    // Descope's session tokens use the bare project id as `iss`; Inbound App tokens must carry the URL form.
    jwks.keys = [current.publicJwk];
    const keySet = getRemoteKeySet(jwks.url("bare-issuer"), TIMEOUT_MS);

    const error = await rejection(verifyAccessToken(await descopeToken(current, { iss: PROJECT_ID }), { issuer: ISSUER, fhirBase: FHIR_BASE, keySet }));

    expect(error.message).toBe('Access token rejected: claim "iss" failed: unexpected "iss" claim value');
  });

  it("rejects a token for another FHIR server", async () => {
    jwks.keys = [current.publicJwk];
    const keySet = getRemoteKeySet(jwks.url("other-audience"), TIMEOUT_MS);
    const token = await descopeToken(current, { aud: [PROJECT_ID, CLIENT_ID, "https://other-ehr.example/fhir"] });

    const error = await rejection(verifyAccessToken(token, { issuer: ISSUER, fhirBase: FHIR_BASE, keySet }));

    expect(error.message).toBe('Access token rejected: claim "aud" failed: unexpected "aud" claim value');
  });

  it("rejects a token signed by an unknown key", async () => {
    jwks.keys = [current.publicJwk];
    const keySet = getRemoteKeySet(jwks.url("unknown-key"), TIMEOUT_MS);
    const stranger = await signingKey("attacker-key");

    const error = await rejection(verifyAccessToken(await descopeToken(stranger), { issuer: ISSUER, fhirBase: FHIR_BASE, keySet }));

    expect(error.code).toBe("invalid_token");
    expect(error.message).toBe("Access token rejected: no key with a matching kid");
  });

  it("rejects an unknown key reusing a known kid", async () => {
    jwks.keys = [current.publicJwk];
    const keySet = getRemoteKeySet(jwks.url("forged-kid"), TIMEOUT_MS);
    const forger = await signingKey(current.kid);

    const error = await rejection(verifyAccessToken(await descopeToken(forger), { issuer: ISSUER, fhirBase: FHIR_BASE, keySet }));

    expect(error.message).toBe("Access token rejected: signature invalid");
  });
});

describe("JWKS rotation", () => {
  it("refetches once for a rotated key", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const url = jwks.url("rotation");
    jwks.keys = [current.publicJwk];
    jwks.requests = 0;
    const keySet = getRemoteKeySet(url, TIMEOUT_MS);

    await verifyAccessToken(await descopeToken(current), { issuer: ISSUER, fhirBase: FHIR_BASE, keySet });
    expect(jwks.requests).toBe(1);

    // Descope rotates: the new key signs, the old one is still published.
    const next = await signingKey("descope-key-2025");
    jwks.keys = [next.publicJwk, current.publicJwk];
    vi.setSystemTime(Date.now() + COOLDOWN_MS + 1000);

    const claims = await verifyAccessToken(await descopeToken(next), { issuer: ISSUER, fhirBase: FHIR_BASE, keySet });
    expect(claims.patient).toBe("pat-123");
    expect(jwks.requests).toBe(2);

    // Both keys are now cached: no further request.
    await verifyAccessToken(await descopeToken(current), { issuer: ISSUER, fhirBase: FHIR_BASE, keySet });
    await verifyAccessToken(await descopeToken(next), { issuer: ISSUER, fhirBase: FHIR_BASE, keySet });
    expect(jwks.requests).toBe(2);
  });

  it("limits refetches for unknown kids", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const url = jwks.url("flood");
    jwks.keys = [current.publicJwk];
    jwks.requests = 0;
    const keySet = getRemoteKeySet(url, TIMEOUT_MS);
    await verifyAccessToken(await descopeToken(current), { issuer: ISSUER, fhirBase: FHIR_BASE, keySet });
    expect(jwks.requests).toBe(1);

    // After the cooldown, the first unknown kid triggers one refetch; the rest of the flood none.
    vi.setSystemTime(Date.now() + COOLDOWN_MS + 1000);
    const strangers = await Promise.all(Array.from({ length: 25 }, (_, index) => signingKey(`unknown-${index}`)));
    const tokens = await Promise.all(strangers.map((key) => descopeToken(key)));
    for (const token of tokens) {
      const error = await rejection(verifyAccessToken(token, { issuer: ISSUER, fhirBase: FHIR_BASE, keySet }));
      expect(error.message).toBe("Access token rejected: no key with a matching kid");
    }
    expect(jwks.requests).toBe(2);

    // Concurrent unknown kids within the cooldown fetch nothing either.
    await Promise.all(tokens.map((token) => verifyAccessToken(token, { issuer: ISSUER, fhirBase: FHIR_BASE, keySet }).catch(() => undefined)));
    expect(jwks.requests).toBe(2);

    // A key rotated in during the cooldown is found only once the cooldown ends.
    const rotated = await signingKey("descope-key-2026");
    jwks.keys = [rotated.publicJwk, current.publicJwk];
    const early = await rejection(verifyAccessToken(await descopeToken(rotated), { issuer: ISSUER, fhirBase: FHIR_BASE, keySet }));
    expect(early.message).toBe("Access token rejected: no key with a matching kid");
    expect(jwks.requests).toBe(2);

    vi.setSystemTime(Date.now() + COOLDOWN_MS + 1000);
    await expect(verifyAccessToken(await descopeToken(rotated), { issuer: ISSUER, fhirBase: FHIR_BASE, keySet })).resolves.toMatchObject({ patient: "pat-123" });
    expect(jwks.requests).toBe(3);
  });

  it("refetches keys older than ten minutes", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    jwks.keys = [current.publicJwk];
    jwks.requests = 0;
    const keySet = getRemoteKeySet(jwks.url("max-age"), TIMEOUT_MS);

    await verifyAccessToken(await descopeToken(current), { issuer: ISSUER, fhirBase: FHIR_BASE, keySet });
    vi.setSystemTime(Date.now() + 9 * 60_000);
    await verifyAccessToken(await descopeToken(current), { issuer: ISSUER, fhirBase: FHIR_BASE, keySet });
    expect(jwks.requests).toBe(1);

    vi.setSystemTime(Date.now() + 2 * 60_000);
    await verifyAccessToken(await descopeToken(current), { issuer: ISSUER, fhirBase: FHIR_BASE, keySet });
    expect(jwks.requests).toBe(2);
  });
});
