import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { getSandboxClientSecret } from "@/lib/sandbox/keys";
import { startApp, TEST_SESSION_SECRET, type RunningApp } from "./support/app-server";

/**
 * The consent page (the Inbound App's Flow Hosting URL) in Chromium, with
 * Descope's web component pointed at a loopback stand-in for Descope's API,
 * content and CDN hosts (DESCOPE_BASE_URL, DESCOPE_STATIC_URL, DESCOPE_CDN_URL).
 *
 * Descope cannot be reached here, so the stand-in has no flow: it returns 404
 * for the flow's config, and the component never starts the flow. The test
 * checks what the page passed to the component and how the page handles the
 * component's `success` and `error` events, dispatched on the element.
 * Every request to a host other than loopback is aborted and recorded; the
 * test fails if there is one.
 */
const PROJECT_ID = "P2ConsentPageTest00000000001";
const CLIENT_SECRET = "client-secret-SEEDED-consent-page-5d2e";
const RUN_FULL = process.env.UNIT_ONLY !== "1";
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

const CONSENT_QUERY = new URLSearchParams({
  flow: "inbound-apps-user-consent",
  third_party_app_id: "TPA2ConsentPageTest",
  third_party_app_state_id: "s-consent-page-test",
  oidc_error_redirect_uri: "https://api.descope.com/oauth2/v1/apps/error",
});

/** Path prefix under which the web component loads Descope's UI components from `base-cdn-url`. */
const UI_COMPONENTS_PATH = "/npm/@descope/web-components-ui@";

/**
 * A loopback stand-in for Descope's hosts that records each request. It
 * serves an empty UI components script, because the web component tries
 * Descope's public CDNs when the script at `base-cdn-url` fails to load. It
 * returns 404 for everything else.
 */
async function startDescopeStandIn(): Promise<{ origin: string; paths: string[]; stop: () => Promise<void> }> {
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(`${req.method} ${req.url}`);
    if (req.url?.startsWith(UI_COMPONENTS_PATH)) {
      res.writeHead(200, { "content-type": "text/javascript" }).end("globalThis.DescopeUI = globalThis.DescopeUI || {};\n");
      return;
    }
    res.writeHead(404, { "content-type": "application/json", "access-control-allow-origin": "*" }).end('{"errorCode":"E000000"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, paths, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe.runIf(RUN_FULL)("Descope consent page", () => {
  let descope: Awaited<ReturnType<typeof startDescopeStandIn>>;
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    descope = await startDescopeStandIn();
    app = await startApp({
      SANDBOX_ENABLED: "false",
      SANDBOX_DATA_DIR: "",
      DESCOPE_PROJECT_ID: PROJECT_ID,
      DESCOPE_BASE_URL: descope.origin,
      DESCOPE_STATIC_URL: `${descope.origin}/pages`,
      DESCOPE_CDN_URL: descope.origin,
      DESCOPE_CLIENT_ID: "UDJDb25zZW50UGFnZVRlc3Q6VFBBMg",
      DESCOPE_CLIENT_SECRET: CLIENT_SECRET,
      DESCOPE_CONSENT_FLOW_ID: "smart-consent-test",
      TRUSTED_ISSUERS: JSON.stringify([{ iss: "https://ehr.example.org/fhir", name: "Example EHR", launchContext: { type: "token-claims" } }]),
    });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"] });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await descope?.stop();
  });

  /** Open the consent page as Descope's redirect would, with non-loopback requests aborted and recorded. */
  async function openConsentPage() {
    const context = await browser.newContext();
    const page = await context.newPage();
    const blocked: string[] = [];
    await page.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (LOOPBACK_HOSTS.has(url.hostname)) return route.continue();
      blocked.push(url.href);
      return route.abort("blockedbyclient");
    });
    const response = await page.goto(`${app.url}/descope/consent?${CONSENT_QUERY}`);
    return { context, page, response, blocked };
  }

  it("passes the configuration to descope-wc", async () => {
    const { context, page, response, blocked } = await openConsentPage();
    expect(response?.status()).toBe(200);

    const flow = page.locator("descope-wc");
    await flow.waitFor({ state: "attached", timeout: 15_000 });
    expect(await flow.getAttribute("project-id")).toBe(PROJECT_ID);
    expect(await flow.getAttribute("flow-id")).toBe("smart-consent-test");
    expect(await flow.getAttribute("base-url")).toBe(descope.origin);
    expect(await flow.getAttribute("base-static-url")).toBe(`${descope.origin}/pages`);
    expect(await flow.getAttribute("base-cdn-url")).toBe(descope.origin);
    await expect.poll(() => descope.paths.some((path) => path.includes(`/pages/${PROJECT_ID}/`)), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => descope.paths.some((path) => path.startsWith(`GET ${UI_COMPONENTS_PATH}`)), { timeout: 10_000 }).toBe(true);

    const policy = response?.headers()["content-security-policy"] ?? "";
    expect(policy).toMatch(new RegExp(`connect-src 'self' ${descope.origin}( |;)`));
    await page.waitForLoadState("networkidle");
    expect(blocked).toEqual([]);
    await context.close();
  });

  it("shows an error with a way back", async () => {
    const { context, page, blocked } = await openConsentPage();
    const flow = page.locator("descope-wc");
    await flow.waitFor({ state: "attached", timeout: 15_000 });

    await flow.evaluate((element) => {
      const detail = { errorCode: "E061301", errorDescription: "The consent request expired" };
      element.dispatchEvent(new CustomEvent("error", { detail }));
    });

    const alert = page.getByTestId("consent-error");
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.getAttribute("role")).toBe("alert");
    expect(await alert.textContent()).toContain("The consent request expired");
    expect(await alert.textContent()).toContain("E061301");
    const retry = new URL((await page.getByRole("link", { name: "Try again" }).getAttribute("href"))!, app.url);
    expect(retry.pathname).toBe("/descope/consent");
    expect(retry.searchParams.get("third_party_app_state_id")).toBe("s-consent-page-test");
    expect(await page.getByRole("link", { name: "Back to the start page" }).getAttribute("href")).toBe("/");
    await page.waitForLoadState("networkidle");
    expect(blocked).toEqual([]);
    await context.close();
  });

  it("shows returning after success", async () => {
    const { context, page, blocked } = await openConsentPage();
    const flow = page.locator("descope-wc");
    await flow.waitFor({ state: "attached", timeout: 15_000 });

    await flow.evaluate((element) => element.dispatchEvent(new CustomEvent("success", { detail: {} })));

    const status = page.getByTestId("consent-returning");
    await status.waitFor({ timeout: 10_000 });
    expect(await status.getAttribute("role")).toBe("status");
    expect(await status.textContent()).toContain("Returning to the app…");
    expect(await page.getByTestId("consent-error").count()).toBe(0);
    await page.waitForLoadState("networkidle");
    expect(blocked).toEqual([]);
    await context.close();
  });

  it("asks for an EHR launch without Descope parameters", async () => {
    const response = await fetch(`${app.url}/descope/consent`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain("Open the app from your EHR");
    expect(html).not.toContain("descope-wc");
  });

  it("status page shows Descope mode without secrets", async () => {
    const response = await fetch(`${app.url}/status`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain("Descope");
    expect(html).toContain(`${descope.origin}/v1/apps/${PROJECT_ID}`);
    expect(html).toContain(`${app.url}/callback`);
    expect(html).toContain(`${app.url}/launch`);
    expect(html).toContain("https://ehr.example.org/fhir");
    expect(html).toContain("claims of the access token");
    expect(html).not.toContain(CLIENT_SECRET);
    expect(html).not.toContain(TEST_SESSION_SECRET);
  });
});

describe.runIf(RUN_FULL)("Descope pages in sandbox mode", () => {
  const appUrl = inject("appUrl");

  it("consent page says it is for Descope mode", async () => {
    const response = await fetch(`${appUrl}/descope/consent?${CONSENT_QUERY}`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain("This page is for Descope mode");
    expect(html).not.toContain("descope-wc");
  });

  it("status page shows sandbox mode without secrets", async () => {
    const response = await fetch(`${appUrl}/status`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain("Sandbox");
    expect(html).toContain(`${appUrl}/sandbox/descope/v1/apps/Psandbox`);
    expect(html).toContain(`${appUrl}/sandbox/fhir`);
    expect(html).not.toContain(TEST_SESSION_SECRET);
    expect(html).not.toContain(getSandboxClientSecret());
    expect(html).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
