import { beforeAll, describe, expect, it } from "vitest";
import { TEST_SESSION_SECRET } from "./support/app-server";
import { authenticateClient, SANDBOX_PUBLIC_CLIENT_ID } from "@/lib/sandbox/auth/clients";
import { OAuthError } from "@/lib/sandbox/auth/errors";
import type { Grant } from "@/lib/sandbox/auth/grant";
import { sealAuthorizationCode, AUTHORIZATION_CODE_TTL_SECONDS } from "@/lib/sandbox/auth/interaction";
import { isS256Challenge, s256Challenge, verifyS256 } from "@/lib/sandbox/auth/pkce";
import { JtiRegistry } from "@/lib/sandbox/auth/replay";
import { describeScope, narrowScopes, parseRequestedScopes } from "@/lib/sandbox/auth/scopes";
import { seal, unseal } from "@/lib/sandbox/auth/sealed";
import { getSandboxClientSecret } from "@/lib/sandbox/keys";

// Unit tests: the modules read their configuration from this process's environment.
beforeAll(() => {
  process.env.SESSION_SECRET = TEST_SESSION_SECRET;
  process.env.SANDBOX_ENABLED = "true";
  process.env.APP_BASE_URL = "http://localhost:3999";
});

/** Run `action` and return the OAuthError it throws; fails the test when it throws nothing else. */
async function oauthErrorOf(action: () => unknown): Promise<OAuthError> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    return error as OAuthError;
  }
  throw new Error("expected an OAuthError, but nothing was thrown");
}

describe("PKCE S256", () => {
  // RFC 7636 Appendix B.
  const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

  it("matches the RFC 7636 example", () => {
    expect(s256Challenge(verifier)).toBe(challenge);
    expect(verifyS256(verifier, challenge)).toBe(true);
  });

  it("rejects a wrong verifier", () => {
    expect(verifyS256(`${verifier.slice(0, -1)}Y`, challenge)).toBe(false);
  });

  it("rejects a missing or malformed verifier", () => {
    expect(verifyS256(undefined, challenge)).toBe(false);
    expect(verifyS256("short", s256Challenge("short"))).toBe(false);
    expect(verifyS256(`${verifier}!`, s256Challenge(`${verifier}!`))).toBe(false);
  });

  it("checks the challenge shape", () => {
    expect(isS256Challenge(challenge)).toBe(true);
    expect(isS256Challenge(verifier.slice(0, 42))).toBe(false);
    expect(isS256Challenge(`${challenge}=`)).toBe(false);
  });
});

describe("scopes", () => {
  it("accepts SMART v1 and v2 scopes", () => {
    const scopes = "openid fhirUser launch launch/patient offline_access patient/*.rs user/Observation.read patient/Observation.rs?category=laboratory";
    expect(parseRequestedScopes(scopes)).toHaveLength(8);
  });

  it("rejects unknown scopes by name", async () => {
    const error = await oauthErrorOf(() => parseRequestedScopes("openid admin patient/*.sr system/*.rs"));
    expect(error.code).toBe("invalid_scope");
    expect(error.description).toContain(`"admin"`);
    expect(error.description).toContain(`"patient/*.sr"`);
    expect(error.description).toContain(`"system/*.rs"`);
  });

  it("rejects an empty scope", async () => {
    expect((await oauthErrorOf(() => parseRequestedScopes("  "))).code).toBe("invalid_scope");
  });

  it("narrows to a subset", () => {
    expect(narrowScopes(["openid", "patient/*.rs", "offline_access"], "patient/*.rs")).toEqual(["patient/*.rs"]);
  });

  it("keeps the grant when no scope is requested", () => {
    expect(narrowScopes(["openid", "patient/*.rs"], undefined)).toEqual(["openid", "patient/*.rs"]);
  });

  it("never widens", async () => {
    const error = await oauthErrorOf(() => narrowScopes(["openid", "patient/*.rs"], "openid user/*.rs"));
    expect(error.code).toBe("invalid_scope");
    expect(error.description).toContain(`"user/*.rs"`);
  });

  it("describes resource scopes in words", () => {
    expect(describeScope("patient/*.rs")).toBe("Read and search all record types of the patient in context");
    expect(describeScope("user/Observation.read")).toBe("Read and search Observation records that you can see");
    expect(describeScope("patient/Condition.cruds")).toBe("Create, read, update, delete and search Condition records of the patient in context");
  });
});

describe("sealed tokens", () => {
  const grant: Grant = {
    clientId: "sandbox-smart-app",
    scopes: ["openid", "patient/*.rs"],
    sub: "sandbox-practitioner",
    name: "Dr. Test",
    fhirUser: "Practitioner/sandbox-practitioner",
    audience: "http://localhost:3999/sandbox/fhir",
    context: { patient: "123" },
    authTime: 1_700_000_000,
  };
  const request = { redirectUri: "http://localhost:3999/callback", codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", nonce: "n-1" };
  const codeOptions = { purpose: "authorization-codes", kind: "code", field: "code", errorCode: "invalid_grant" } as const;

  it("round-trips an authorization code", async () => {
    const issuedAt = new Date("2030-01-01T00:00:00Z");
    const code = await sealAuthorizationCode(grant, request, issuedAt);
    const opened = await unseal<{ grant: Grant; nonce: string }>(code, { ...codeOptions, now: new Date(issuedAt.getTime() + 59_000) });
    expect(opened.grant).toEqual(grant);
    expect(opened.nonce).toBe("n-1");
    expect(opened.exp - opened.iat).toBe(AUTHORIZATION_CODE_TTL_SECONDS);
  });

  it("rejects an expired code", async () => {
    const issuedAt = new Date("2030-01-01T00:00:00Z");
    const code = await sealAuthorizationCode(grant, request, issuedAt);
    const error = await oauthErrorOf(() => unseal(code, { ...codeOptions, now: new Date(issuedAt.getTime() + 61_000) }));
    expect(error.code).toBe("invalid_grant");
    expect(error.description).toBe(`"code" is expired`);
    expect(error.cause).toEqual({ code: "ERR_JWT_EXPIRED" });
  });

  it("keeps the sealed claims out of the error", async () => {
    const issuedAt = new Date("2030-01-01T00:00:00Z");
    const sealedRequest = await seal("consent-state", "consent", { user: { name: "Ada Lovelace", birthDate: "1815-12-10" } }, 600, issuedAt);
    const options = { purpose: "consent-state", kind: "consent", field: "request", errorCode: "invalid_request" } as const;

    const error = await oauthErrorOf(() => unseal(sealedRequest, { ...options, now: new Date(issuedAt.getTime() + 601_000) }));

    expect(error.description).toBe(`"request" is expired`);
    expect(JSON.stringify(error.cause)).not.toContain("Lovelace");
    expect(JSON.stringify(error.cause)).not.toContain("1815");
  });

  it("rejects a tampered code", async () => {
    const code = await sealAuthorizationCode(grant, request);
    const parts = code.split(".");
    parts[3] = `${parts[3]?.startsWith("A") ? "B" : "A"}${parts[3]?.slice(1)}`;
    const error = await oauthErrorOf(() => unseal(parts.join("."), codeOptions));
    expect(error.description).toBe(`"code" is invalid`);
  });

  it("rejects a token of another kind under the same key", async () => {
    const login = await seal("authorization-codes", "login", { grant }, 60);
    expect((await oauthErrorOf(() => unseal(login, codeOptions))).description).toBe(`"code" is invalid`);
  });

  it("rejects a token sealed under another purpose", async () => {
    const refresh = await seal("refresh-tokens", "code", { grant }, 60);
    expect((await oauthErrorOf(() => unseal(refresh, codeOptions))).code).toBe("invalid_grant");
  });
});

describe("JtiRegistry", () => {
  it("accepts an id once until it expires", () => {
    const registry = new JtiRegistry();
    const now = new Date("2030-01-01T00:00:00Z");
    const expiresAt = now.getTime() / 1000 + 60;
    expect(registry.markUsed("a", expiresAt, now)).toBe(true);
    expect(registry.markUsed("a", expiresAt, now)).toBe(false);
    expect(registry.has("a", now)).toBe(true);
    expect(registry.has("a", new Date(now.getTime() + 61_000))).toBe(false);
    expect(registry.markUsed("a", expiresAt + 120, new Date(now.getTime() + 61_000))).toBe(true);
  });
});

describe("client authentication", () => {
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;

  it("accepts client_secret_post", () => {
    const params = new URLSearchParams({ client_id: "sandbox-smart-app", client_secret: getSandboxClientSecret() });
    expect(authenticateClient(params, null).method).toBe("client_secret_post");
  });

  it("accepts client_secret_basic", () => {
    expect(authenticateClient(new URLSearchParams(), basic("sandbox-smart-app", getSandboxClientSecret())).method).toBe("client_secret_basic");
  });

  it("accepts the public client without a secret", () => {
    expect(authenticateClient(new URLSearchParams({ client_id: SANDBOX_PUBLIC_CLIENT_ID }), null).method).toBe("none");
  });

  it("rejects a wrong Basic secret with a challenge", async () => {
    const error = await oauthErrorOf(() => authenticateClient(new URLSearchParams(), basic("sandbox-smart-app", "wrong")));
    expect(error.code).toBe("invalid_client");
    expect(error.status).toBe(401);
    expect(error.headers["www-authenticate"]).toMatch(/^Basic /);
  });

  it("rejects the confidential client without a secret", async () => {
    expect((await oauthErrorOf(() => authenticateClient(new URLSearchParams({ client_id: "sandbox-smart-app" }), null))).code).toBe("invalid_client");
  });

  it("rejects a secret sent for the public client", async () => {
    const params = new URLSearchParams({ client_id: SANDBOX_PUBLIC_CLIENT_ID, client_secret: "x" });
    expect((await oauthErrorOf(() => authenticateClient(params, null))).code).toBe("invalid_client");
  });

  it("rejects two authentication methods at once", async () => {
    const params = new URLSearchParams({ client_secret: getSandboxClientSecret() });
    const error = await oauthErrorOf(() => authenticateClient(params, basic("sandbox-smart-app", getSandboxClientSecret())));
    expect(error.code).toBe("invalid_request");
  });

  it("rejects an unknown client", async () => {
    expect((await oauthErrorOf(() => authenticateClient(new URLSearchParams({ client_id: "nobody" }), null))).code).toBe("invalid_client");
  });
});
