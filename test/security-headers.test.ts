import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startApp, type RunningApp } from "./support/app-server";
import { Browser, inputs, sandboxConsent, type PageResult } from "./support/fault-browser";

/**
 * Security headers over HTTP against the built app. The middleware sets them
 * on pages; the route handlers it skips (see `config.matcher` in
 * middleware.ts) set them through `withSecurityHeaders`. Each skipped route is
 * checked here, and so are paths that must keep the middleware.
 */
const RUN_FULL = process.env.UNIT_ONLY !== "1";

const JSON_POLICY = "default-src 'none'; frame-ancestors 'none'";
const HSTS = "max-age=63072000; includeSubDomains";

/** Split a CSP into its directives: name → value. */
function directives(policy: string | null): Map<string, string> {
  const entries = (policy ?? "").split(";").map((part) => part.trim()).filter(Boolean);
  return new Map(entries.map((entry) => [entry.split(" ")[0]!, entry.slice(entry.indexOf(" ") + 1)]));
}

function describeResponse(page: PageResult): string {
  return `${page.url.pathname}${page.url.search.slice(0, 80)} -> ${page.status}\n${[...page.headers].map(([name, value]) => `${name}: ${value}`).join("\n")}`;
}

function expectStaticHeaders(page: PageResult): void {
  const context = describeResponse(page);
  expect(page.headers.get("x-content-type-options"), context).toBe("nosniff");
  expect(page.headers.get("referrer-policy"), context).toBe("same-origin");
  expect(page.headers.get("permissions-policy"), context).toBe("camera=(), microphone=(), geolocation=()");
}

/** Expect the headers of JSON read with fetch: nothing may load from it and nothing may frame it. */
function expectJsonHeaders(page: PageResult): void {
  const context = describeResponse(page);
  expect(page.headers.get("content-security-policy"), context).toBe(JSON_POLICY);
  expect(page.headers.get("x-frame-options"), context).toBe("DENY");
  expectStaticHeaders(page);
}

/** Expect the headers of a navigation the EHR may frame: the app's policy, the trusted EHRs as frame ancestors, and no script without a nonce. */
function expectDocumentHeaders(page: PageResult, appUrl: string, scripts: "none" | "nonce" = "none"): Map<string, string> {
  const context = describeResponse(page);
  const policy = directives(page.headers.get("content-security-policy"));
  expect(policy.get("default-src"), context).toBe("'self'");
  if (scripts === "none") expect(policy.get("script-src"), context).toBe("'none'");
  else expect(policy.get("script-src"), context).toMatch(/^'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'$/);
  expect(policy.get("frame-ancestors")?.split(" "), context).toEqual(expect.arrayContaining(["'self'", new URL(appUrl).origin]));
  expect(policy.get("frame-ancestors"), context).not.toContain("'none'");
  expect(policy.get("base-uri"), context).toBe("'none'");
  expect(policy.get("object-src"), context).toBe("'none'");
  expect(page.headers.get("x-frame-options"), context).toBeNull();
  expectStaticHeaders(page);
  return policy;
}

/** Expect the middleware's headers: a fresh nonce for Next.js's scripts. */
function expectMiddlewareHeaders(page: PageResult): void {
  const context = describeResponse(page);
  expect(directives(page.headers.get("content-security-policy")).get("script-src"), context).toMatch(/'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'/);
  expectStaticHeaders(page);
}

describe.runIf(RUN_FULL)("security headers of routes without middleware", () => {
  const appUrl = inject("appUrl");
  let patientId: string;

  beforeAll(async () => {
    const ehr = await new Browser().get(`${appUrl}/sandbox/ehr`);
    patientId = inputs(ehr.body).find((input) => input.name === "patient")?.value ?? "";
    expect(patientId).not.toBe("");
  });

  it("sets JSON headers on the health check", async () => {
    const page = await new Browser().get(`${appUrl}/api/health`);

    expect(page.status).toBe(200);
    expectJsonHeaders(page);
    expect(page.headers.get("strict-transport-security")).toBeNull();
  });

  it("sets JSON headers on a proxy error", async () => {
    const page = await new Browser().get(`${appUrl}/api/launches/AAAAAAAAAAAAAAAAAAAAAA/fhir/Patient/1`);

    expect(page.status).toBe(401);
    expectJsonHeaders(page);
  });

  it("sets document headers on launch error pages", async () => {
    const page = await new Browser().get(`${appUrl}/launch?iss=${encodeURIComponent("https://evil.example/fhir")}&launch=x`);

    expect(page.status).toBe(400);
    expect(page.headers.get("content-type")).toContain("text/html");
    expectDocumentHeaders(page, appUrl);
  });

  it("sets document headers on callback error pages", async () => {
    const page = await new Browser().get(`${appUrl}/callback?state=not-a-state&code=abc`);

    expect(page.status).toBe(400);
    expect(page.headers.get("content-type")).toContain("text/html");
    expectDocumentHeaders(page, appUrl);
  });

  it("gives the popup hand-back script its nonce", async () => {
    const page = await new Browser().get(`${appUrl}/callback?state=AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB&code=abc`);
    const policy = expectDocumentHeaders(page, appUrl, "nonce");
    const scriptNonce = /<script nonce="([^"]+)">/.exec(page.body)?.[1];

    expect(page.status).toBe(400);
    expect(scriptNonce).toBeDefined();
    expect(policy.get("script-src")).toContain(`'nonce-${scriptNonce}'`);
  });

  it("sets headers on every step of a launch", async () => {
    const browser = new Browser();
    const ehrFrame = await browser.get(`${appUrl}/sandbox/ehr/launch?patient=${encodeURIComponent(patientId)}&display=window`, {
      stopBefore: (next) => next.pathname === "/launch",
    });
    const launch = await browser.get(new URL(ehrFrame.headers.get("location")!, ehrFrame.url), { noFollow: true });
    expect(launch.status).toBe(303);
    expectDocumentHeaders(launch, appUrl);

    const loginPage = await browser.get(new URL(launch.headers.get("location")!, launch.url));
    const callbackUrl = await sandboxConsent(browser, loginPage);
    const callback = await browser.get(callbackUrl, { noFollow: true });
    expect(callback.status).toBe(303);
    expectDocumentHeaders(callback, appUrl);

    const launchId = callbackUrl.searchParams.get("state")!.split(".")[0]!;
    const read = await browser.get(`${appUrl}/api/launches/${launchId}/fhir/Patient/${encodeURIComponent(patientId)}`);
    expect(read.status).toBe(200);
    expect(read.headers.get("content-type")).toBe("application/fhir+json");
    expectJsonHeaders(read);

    // Without the app's Origin the server rejects the patient choice with an error page.
    const choice = await browser.post(`${appUrl}/api/launches/${launchId}/patient`, { patientId });
    expect(choice.status).toBe(403);
    expect(choice.headers.get("content-type")).toContain("text/html");
    expectDocumentHeaders(choice, appUrl);
  });

  it.each(["metadata", "Patient"])("sets JSON headers on sandbox FHIR %s", async (path) => {
    const page = await new Browser().get(`${appUrl}/sandbox/fhir/${path}`);

    expect(page.status).toBe(path === "metadata" ? 200 : 401);
    expectJsonHeaders(page);
  });

  it("sets JSON headers on a sandbox FHIR preflight", async () => {
    const response = await fetch(`${appUrl}/sandbox/fhir/Patient`, { method: "OPTIONS", headers: { origin: "http://127.0.0.1:1", "access-control-request-method": "GET" } });
    const page = { url: new URL(response.url), status: response.status, headers: response.headers, body: await response.text() };

    expect(page.status).toBe(204);
    expectJsonHeaders(page);
  });

  // Paths next to the skipped ones, which the matcher must leave to the middleware.
  it.each(["/api/other", "/api/launches/AAAAAAAAAAAAAAAAAAAAAA/fhir", "/launches/AAAAAAAAAAAAAAAAAAAAAA", "/LAUNCH", "/launch/x", "/callback/x", "/sandbox/fhirx", "/signed-out"])(
    "keeps the middleware on %s",
    async (path) => {
      const page = await new Browser().get(`${appUrl}${path}`, { noFollow: true });

      expectMiddlewareHeaders(page);
    },
  );
});

describe.runIf(RUN_FULL)("security headers over HTTPS", () => {
  let app: RunningApp;

  beforeAll(async () => {
    // The server itself listens on http; an https base URL is what makes the app send HSTS.
    app = await startApp({ APP_BASE_URL: "https://localhost" });
  }, 90_000);

  afterAll(async () => {
    await app?.stop();
  });

  it.each(["/api/health", "/api/launches/AAAAAAAAAAAAAAAAAAAAAA/fhir/Patient/1", "/launch?iss=x&launch=y", "/callback?state=not-a-state", "/sandbox/fhir/metadata", "/signed-out"])(
    "sends HSTS on %s",
    async (path) => {
      const page = await new Browser().get(`${app.url}${path}`, { noFollow: true });

      expect(page.headers.get("strict-transport-security"), describeResponse(page)).toBe(HSTS);
    },
  );
});
