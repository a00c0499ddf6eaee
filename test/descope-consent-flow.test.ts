import { describe, expect, it } from "vitest";
import { consentFlowSettings, isInboundAppRequest, stateAfterError, stateAfterSuccess } from "@/app/descope/consent/flow-events";
import { parseConfig } from "@/lib/config";
import { contentSecurityPolicy, descopeFlowSources } from "@/lib/http/security-headers";

const DESCOPE_ENV = {
  SESSION_SECRET: "test-session-secret-SEEDED-0123456789abcdef",
  APP_BASE_URL: "https://smart.example.org",
  DESCOPE_PROJECT_ID: "P2qVfS8mLxT4nR7bK1cW9dH3jY6z",
  DESCOPE_CLIENT_ID: "UDJxVmZTOG1MeFQ0blI3YksxY1c5ZEgzalk2ejpUUEEy",
  DESCOPE_CLIENT_SECRET: "client-secret-SEEDED",
  TRUSTED_ISSUERS: JSON.stringify([{ iss: "https://ehr.example.org/fhir", name: "Example EHR", launchContext: { type: "token-claims" } }]),
};

function directive(policy: string, name: string): string[] {
  const entry = policy.split("; ").find((part) => part.startsWith(`${name} `));
  return entry ? entry.split(" ").slice(1) : [];
}

describe("consentFlowSettings", () => {
  it("passes project, base URL and default flow", () => {
    const { authServer } = parseConfig(DESCOPE_ENV);
    expect(consentFlowSettings(authServer)).toEqual({
      projectId: "P2qVfS8mLxT4nR7bK1cW9dH3jY6z",
      baseUrl: "https://api.descope.com",
      flowId: "inbound-apps-user-consent",
    });
  });

  it("passes configured flow and content URLs", () => {
    const { authServer } = parseConfig({
      ...DESCOPE_ENV,
      DESCOPE_BASE_URL: "https://auth.example.org/",
      DESCOPE_CONSENT_FLOW_ID: "smart-consent",
      DESCOPE_STATIC_URL: "https://auth.example.org/pages/",
      DESCOPE_CDN_URL: "https://cdn.example.org",
    });
    expect(consentFlowSettings(authServer)).toEqual({
      projectId: "P2qVfS8mLxT4nR7bK1cW9dH3jY6z",
      baseUrl: "https://auth.example.org",
      flowId: "smart-consent",
      baseStaticUrl: "https://auth.example.org/pages",
      baseCdnUrl: "https://cdn.example.org",
    });
  });

  it("rejects an http content URL", () => {
    expect(() => parseConfig({ ...DESCOPE_ENV, DESCOPE_STATIC_URL: "http://cdn.example.org" })).toThrow(/"DESCOPE_STATIC_URL" must use https/);
  });
});

describe("isInboundAppRequest", () => {
  it("accepts Descope's redirect parameters", () => {
    expect(isInboundAppRequest({ flow: "inbound-apps-user-consent", third_party_app_id: "TPA2abc", third_party_app_state_id: "s-1" })).toBe(true);
    expect(isInboundAppRequest({ third_party_app_state_id: "s-1" })).toBe(true);
  });

  it("rejects a direct visit", () => {
    expect(isInboundAppRequest({})).toBe(false);
    expect(isInboundAppRequest({ flow: "inbound-apps-user-consent" })).toBe(false);
    expect(isInboundAppRequest({ third_party_app_id: "" })).toBe(false);
  });
});

describe("consent flow events", () => {
  it("success returns to the app", () => {
    expect(stateAfterSuccess()).toEqual({ status: "returning" });
  });

  it("error keeps Descope's code and description", () => {
    const state = stateAfterError({ detail: { errorCode: "E061301", errorDescription: "Flow expired", errorMessage: "ignored" } });
    expect(state).toEqual({ status: "failed", errorCode: "E061301", detail: "Flow expired" });
  });

  it("error falls back to the message", () => {
    expect(stateAfterError({ detail: { errorMessage: "Request failed" } })).toEqual({ status: "failed", detail: "Request failed" });
  });

  it("error without detail still fails", () => {
    expect(stateAfterError({})).toEqual({ status: "failed" });
    expect(stateAfterError({ detail: "text" })).toEqual({ status: "failed" });
    expect(stateAfterError({ detail: { errorCode: 42 } })).toEqual({ status: "failed" });
  });

  it("error cuts long text", () => {
    const state = stateAfterError({ detail: { errorDescription: "x".repeat(1000) } });
    expect(state.status === "failed" ? state.detail?.length : 0).toBe(301);
  });
});

describe("consent page CSP", () => {
  it("adds Descope origins on the consent page only", () => {
    const config = parseConfig(DESCOPE_ENV);
    const consent = contentSecurityPolicy(config, "nonce-1", { descopeFlow: true });
    const other = contentSecurityPolicy(config, "nonce-1");

    expect(directive(consent, "connect-src")).toEqual(["'self'", "https://api.descope.com", "https://static.descope.com", "https://static2.descope.com"]);
    expect(directive(consent, "img-src")).toEqual(["'self'", "data:", "https://api.descope.com", "https://static.descope.com", "https://static2.descope.com"]);
    expect(directive(consent, "script-src")).toEqual(directive(other, "script-src"));
    expect(directive(consent, "frame-src")).toEqual(directive(other, "frame-src"));
    expect(directive(other, "connect-src")).toEqual(["'self'"]);
    expect(directive(other, "img-src")).toEqual(["'self'", "data:"]);
  });

  it("uses the configured content URL", () => {
    const config = parseConfig({ ...DESCOPE_ENV, DESCOPE_BASE_URL: "https://auth.example.org", DESCOPE_STATIC_URL: "https://content.example.org/pages" });
    expect(descopeFlowSources(config).connect).toEqual(["https://auth.example.org", "https://content.example.org"]);
  });

  it("adds nothing in sandbox mode", () => {
    const config = parseConfig({ SESSION_SECRET: DESCOPE_ENV.SESSION_SECRET, SANDBOX_ENABLED: "true" });
    expect(directive(contentSecurityPolicy(config, "n", { descopeFlow: true }), "connect-src")).toEqual(["'self'"]);
  });
});
