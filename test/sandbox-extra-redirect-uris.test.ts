import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, parseConfig } from "@/lib/config";
import { contentSecurityPolicy } from "@/lib/http/security-headers";

/**
 * SANDBOX_EXTRA_REDIRECT_URIS: more redirect URIs for the sandbox's public
 * client, so a browser app on another loopback port (the benchmark's
 * fhirclient reference app) can sign in through the sandbox.
 */

const SANDBOX = { SESSION_SECRET: "0123456789abcdef0123456789abcdef", SANDBOX_ENABLED: "true" };

function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

function formAction(policy: string): string | undefined {
  return policy.split("; ").find((directive) => directive.startsWith("form-action "));
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe("SANDBOX_EXTRA_REDIRECT_URIS", () => {
  it("defaults to no extra URIs", () => {
    expect(parseConfig(SANDBOX).sandbox.extraRedirectUris).toEqual([]);
  });

  it("accepts loopback URLs, comma-separated", () => {
    const config = parseConfig({ ...SANDBOX, SANDBOX_EXTRA_REDIRECT_URIS: "http://localhost:8080/callback, http://127.0.0.1:9000/cb" });
    expect(config.sandbox.extraRedirectUris).toEqual(["http://localhost:8080/callback", "http://127.0.0.1:9000/cb"]);
  });

  it("rejects a host that is not loopback", () => {
    expect(problems({ ...SANDBOX, SANDBOX_EXTRA_REDIRECT_URIS: "https://app.example/callback" })).toEqual([
      expect.stringContaining('"SANDBOX_EXTRA_REDIRECT_URIS" must list URLs on a loopback host'),
    ]);
  });

  it("rejects a value that is not a URL", () => {
    expect(problems({ ...SANDBOX, SANDBOX_EXTRA_REDIRECT_URIS: "localhost:8080/callback" })).toEqual([expect.stringContaining('got "localhost:8080/callback"')]);
  });

  it("rejects credentials and fragments", () => {
    expect(problems({ ...SANDBOX, SANDBOX_EXTRA_REDIRECT_URIS: "http://user:pw@localhost:8080/cb,http://localhost:8080/cb#x" })).toHaveLength(2);
  });

  it("registers the URIs for the public client only", async () => {
    vi.stubEnv("SESSION_SECRET", SANDBOX.SESSION_SECRET);
    vi.stubEnv("SANDBOX_ENABLED", "true");
    vi.stubEnv("APP_BASE_URL", "http://localhost:3999");
    vi.stubEnv("SANDBOX_EXTRA_REDIRECT_URIS", "http://localhost:8080/callback");
    vi.resetModules();
    const { findSandboxClient, SANDBOX_PUBLIC_CLIENT_ID } = await import("@/lib/sandbox/auth/clients");

    expect(findSandboxClient(SANDBOX_PUBLIC_CLIENT_ID)?.redirectUris).toEqual([
      "http://127.0.0.1/callback",
      "http://localhost/callback",
      "http://localhost:8080/callback",
    ]);
    expect(findSandboxClient("sandbox-smart-app")?.redirectUris).toEqual(["http://localhost:3999/callback"]);
  });

  it("lets the sandbox sign-in pages post to their origins", () => {
    const config = parseConfig({ ...SANDBOX, SANDBOX_EXTRA_REDIRECT_URIS: "http://localhost:8080/callback,http://localhost:8080/other" });
    expect(formAction(contentSecurityPolicy(config, "nonce", { sandboxSignIn: true }))).toBe("form-action 'self' http://localhost:8080");
  });

  it("lets the sandbox EHR's form redirect to the app", () => {
    const config = parseConfig({ ...SANDBOX, SANDBOX_EXTRA_REDIRECT_URIS: "http://localhost:8080/callback" });
    expect(formAction(contentSecurityPolicy(config, "nonce", { sandboxEhr: true }))).toBe(`form-action 'self' ${new URL(config.baseUrl).origin}`);
  });

  it("leaves form-action of other pages alone", () => {
    const config = parseConfig({ ...SANDBOX, SANDBOX_EXTRA_REDIRECT_URIS: "http://localhost:8080/callback" });
    expect(formAction(contentSecurityPolicy(config, "nonce"))).toBe("form-action 'self'");
  });
});

describe("sandbox token endpoint", () => {
  it("lets browser apps on other origins read its errors", async () => {
    vi.stubEnv("SESSION_SECRET", SANDBOX.SESSION_SECRET);
    vi.stubEnv("SANDBOX_ENABLED", "true");
    vi.stubEnv("APP_BASE_URL", "http://localhost:3999");
    vi.resetModules();
    const { POST } = await import("@/app/sandbox/descope/oauth2/v1/apps/token/route");

    const response = await POST(
      new Request("http://localhost:3999/sandbox/descope/oauth2/v1/apps/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=authorization_code&client_id=sandbox-public-client",
      }),
    );
    expect(response.status).toBe(400);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
  });
});
