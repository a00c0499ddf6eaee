import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "@/lib/config";

const SECRET = "0123456789abcdef0123456789abcdef";
const SANDBOX = { SESSION_SECRET: SECRET, SANDBOX_ENABLED: "true" };
const DESCOPE = { SESSION_SECRET: SECRET, DESCOPE_PROJECT_ID: "P2abc", DESCOPE_CLIENT_ID: "client", DESCOPE_CLIENT_SECRET: "secret", TRUSTED_ISSUERS: JSON.stringify([{ iss: "https://ehr.example/fhir", name: "EHR", launchContext: { type: "token-claims" } }]) };

function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("parseConfig", () => {
  it("accepts a sandbox setup", () => {
    const config = parseConfig(SANDBOX);
    expect(config.baseUrl).toBe("http://localhost:3000");
    expect(config.authServer.issuer).toBe("http://localhost:3000/sandbox/descope/v1/apps/Psandbox");
    expect(config.trustedIssuers.map((issuer) => issuer.iss)).toEqual(["http://localhost:3000/sandbox/fhir"]);
  });

  it("lets the sandbox EHR frame under either loopback name", () => {
    expect(parseConfig(SANDBOX).trustedIssuers[0]?.frameAncestors).toEqual(["http://localhost:3000", "http://127.0.0.1:3000"]);
    expect(parseConfig({ ...SANDBOX, APP_BASE_URL: "https://demo.example" }).trustedIssuers[0]?.frameAncestors).toEqual(["https://demo.example"]);
  });

  it("builds the Descope issuer from project id and base URL", () => {
    const config = parseConfig({ ...DESCOPE, DESCOPE_BASE_URL: "https://api.euc1.descope.com/" });
    expect(config.authServer.issuer).toBe("https://api.euc1.descope.com/v1/apps/P2abc");
  });

  it("names a missing SESSION_SECRET", () => {
    expect(problems({ SANDBOX_ENABLED: "true" })).toEqual([expect.stringContaining('"SESSION_SECRET" is missing')]);
  });

  it("names a short SESSION_SECRET", () => {
    expect(problems({ ...SANDBOX, SESSION_SECRET: "short" })).toEqual([expect.stringContaining('"SESSION_SECRET" must be at least 32')]);
  });

  it("names each missing Descope variable", () => {
    const found = problems({ ...DESCOPE, DESCOPE_CLIENT_ID: "", DESCOPE_CLIENT_SECRET: "" });
    expect(found).toContainEqual(expect.stringContaining('"DESCOPE_CLIENT_ID" is missing'));
    expect(found).toContainEqual(expect.stringContaining('"DESCOPE_CLIENT_SECRET" is missing'));
  });

  it("rejects plain http outside loopback", () => {
    expect(problems({ ...DESCOPE, DESCOPE_BASE_URL: "http://descope.example" })).toEqual([expect.stringContaining('"DESCOPE_BASE_URL" must use https')]);
    expect(problems({ ...SANDBOX, APP_BASE_URL: "http://app.example" })).toEqual([expect.stringContaining('"APP_BASE_URL" must use https')]);
  });

  it("prefers APP_BASE_URL over Vercel's variables", () => {
    expect(parseConfig({ ...SANDBOX, VERCEL_URL: "x-git-main.vercel.app" }).baseUrl).toBe("https://x-git-main.vercel.app");
    expect(parseConfig({ ...SANDBOX, VERCEL_URL: "a.vercel.app", VERCEL_BRANCH_URL: "b.vercel.app" }).baseUrl).toBe("https://b.vercel.app");
    expect(parseConfig({ ...SANDBOX, VERCEL_URL: "a.vercel.app", APP_BASE_URL: "https://smart.example" }).redirectUri).toBe("https://smart.example/callback");
  });

  it("refuses the sandbox in production unless allowed", () => {
    expect(problems({ ...SANDBOX, VERCEL_ENV: "production", VERCEL_URL: "x.vercel.app" })).toEqual([expect.stringContaining("SANDBOX_ALLOW_IN_PRODUCTION")]);
    expect(problems({ ...SANDBOX, VERCEL_ENV: "production", VERCEL_URL: "x.vercel.app", SANDBOX_ALLOW_IN_PRODUCTION: "true" })).toEqual([]);
  });

  it("names malformed TRUSTED_ISSUERS and numbers", () => {
    expect(problems({ ...DESCOPE, TRUSTED_ISSUERS: "not json" })).toContainEqual(expect.stringContaining('"TRUSTED_ISSUERS" must be a JSON array'));
    expect(problems({ ...DESCOPE, TRUSTED_ISSUERS: '[{"iss":"http://ehr.example/fhir","name":"x","launchContext":{"type":"token-claims"}}]' })).toContainEqual(expect.stringContaining("must use https"));
    expect(problems({ ...SANDBOX, FHIR_TIMEOUT_MS: "soon" })).toEqual([expect.stringContaining('"FHIR_TIMEOUT_MS" must be a whole number')]);
    expect(problems({ ...SANDBOX, SANDBOX_ENABLED: "yes" })).toContainEqual(expect.stringContaining('"SANDBOX_ENABLED" must be true or false'));
  });

  it("requires a Descope project or the sandbox", () => {
    expect(problems({ SESSION_SECRET: SECRET })).toContainEqual(expect.stringContaining('"DESCOPE_PROJECT_ID" is missing'));
  });
});
