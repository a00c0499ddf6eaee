import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { test, expect } from "./support/fixtures";
import { allowAll, signIn } from "./support/flows";
import { startCountingServer, type CountingServer } from "../test/support/fault-fhir-server";
import { DEFAULT_ACCOUNT, defaultResources, FAULT_PATIENT_ID, startFaultStack, type FaultStack } from "../test/support/fault-stack";

/**
 * Attacks that need a real browser: script in FHIR data must render as text,
 * a FHIR failure must leave a page with a retry, and a page on another site
 * must not be able to post to the app's logout or patient choice although
 * Chromium sends the app's SameSite=None cookies along.
 */

const SCRIPT_NAME = "<img src=x onerror=alert(1)>";
const SCRIPT_FAMILY = "<script>alert(2)</script>";
const SCRIPT_CONDITION = "<svg onload=alert(3)>";

/** Collect every JavaScript dialog the page opens; an alert() from injected markup would land here. */
function recordDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return dialogs;
}

test.describe("FHIR data from a stub server", () => {
  let stack: FaultStack;
  let evil: CountingServer;

  test.beforeAll(async () => {
    evil = await startCountingServer();
    const resources = defaultResources({ given: [SCRIPT_NAME], family: SCRIPT_FAMILY });
    resources.push({ resourceType: "Condition", id: "condition-script", subject: { reference: `Patient/${FAULT_PATIENT_ID}` }, code: { text: SCRIPT_CONDITION } });
    stack = await startFaultStack({ resources });
  });

  test.afterAll(async () => {
    // The log scan after the suite reads every test-results/e2e-server-*.log.
    const file = path.resolve(__dirname, "../test-results/e2e-server-security-stub.log");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, stack?.app.output() ?? "");
    await stack?.stop();
    await evil?.stop();
  });

  test.beforeEach(() => {
    stack.as.account = { ...DEFAULT_ACCOUNT };
    stack.fhir.clearFaults();
  });

  test("renders script in a patient as text", async ({ page }) => {
    const dialogs = recordDialogs(page);
    await page.goto(`${stack.app.url}/launch?iss=${encodeURIComponent(stack.fhir.base)}&launch=script-in-data`);

    await expect(page.getByTestId("patient-name")).toHaveText(`${SCRIPT_NAME} ${SCRIPT_FAMILY}`);
    await expect(page.getByRole("region", { name: "Conditions" }).getByText(SCRIPT_CONDITION)).toBeVisible();
    await expect(page.locator('img[src="x"]')).toHaveCount(0);
    await expect(page.locator("main svg")).toHaveCount(0);
    await expect(page.locator("main script")).toHaveCount(0);
    expect(dialogs).toEqual([]);
  });

  test("picker shows names as text and ignores a foreign next link", async ({ page }) => {
    const dialogs = recordDialogs(page);
    stack.as.account = { sub: "clinician-9", name: "Dr. Frances Allen", fhirUser: "Practitioner/clinician-9" };
    stack.fhir.inject({ kind: "next-link", url: `${evil.origin}/fhir/Patient?page=2` }, { path: /^Patient\?/, times: 10 });
    await page.goto(`${stack.app.url}/standalone?iss=${encodeURIComponent(stack.fhir.base)}`);

    const list = page.getByRole("list", { name: "Patients" });
    await expect(list.getByRole("listitem")).toHaveCount(2);
    await expect(list.getByText(`${SCRIPT_NAME} ${SCRIPT_FAMILY}`)).toBeVisible();
    await expect(page.getByRole("button", { name: "Next page" })).toHaveCount(0);

    await page.getByRole("button", { name: `Choose ${SCRIPT_NAME} ${SCRIPT_FAMILY}` }).click();
    await expect(page.getByTestId("patient-name")).toHaveText(`${SCRIPT_NAME} ${SCRIPT_FAMILY}`);
    await expect(page.locator('img[src="x"]')).toHaveCount(0);
    expect(dialogs).toEqual([]);
    expect(evil.requests).toEqual([]);
  });

  test("FHIR failure shows an error with a retry", async ({ page }) => {
    // The page reads the patient while rendering, then React Query tries once
    // and retries once in the browser, so the fault covers all three reads.
    stack.fhir.inject({ kind: "status", status: 500 }, { path: /^Patient\//, times: 3 });
    await page.goto(`${stack.app.url}/launch?iss=${encodeURIComponent(stack.fhir.base)}&launch=fhir-failure`);

    const alert = page.getByRole("alert");
    await expect(alert.getByRole("heading", { name: "The health record server is unavailable" })).toBeVisible();
    await alert.getByRole("button", { name: "Try again" }).click();
    await expect(page.getByTestId("patient-name")).toHaveText(`${SCRIPT_NAME} ${SCRIPT_FAMILY}`);
  });
});

test.describe("cross-site forms", () => {
  /**
   * Serve an attacker's page at `{ehrURL}/attacker`, another site than the
   * app, that posts `fields` to `action` on load, and open it.
   */
  async function postFromAnotherSite(page: Page, ehrURL: string, action: string, fields: Record<string, string>): Promise<void> {
    const inputs = Object.entries(fields)
      .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
      .join("");
    await page.route(`${ehrURL}/attacker`, (route) =>
      route.fulfill({ contentType: "text/html", body: `<!doctype html><form id="f" method="post" action="${action}">${inputs}</form><script>document.getElementById("f").submit()</script>` }),
    );
    await page.goto(`${ehrURL}/attacker`);
  }

  /**
   * Record the Cookie header of every request the page sends, read over the
   * Chrome DevTools Protocol: Playwright's request headers leave out cookies,
   * which Chromium's network stack adds. Returns a lookup by method and path.
   */
  async function recordSentCookies(page: Page): Promise<(method: string, pathname: string) => string | undefined> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    const requests = new Map<string, string>();
    const cookies = new Map<string, string>();
    cdp.on("Network.requestWillBeSent", (event) => requests.set(event.requestId, `${event.request.method} ${new URL(event.request.url).pathname}`));
    cdp.on("Network.requestWillBeSentExtraInfo", (event) => {
      const cookie = event.headers.cookie ?? event.headers.Cookie;
      if (typeof cookie === "string") cookies.set(event.requestId, cookie);
    });
    return (method, pathname) => [...requests].filter(([, key]) => key === `${method} ${pathname}`).map(([id]) => cookies.get(id)).find(Boolean);
  }

  test("cannot sign the user out", async ({ page, baseURL, ehrURL }) => {
    await page.goto("/");
    await page.getByRole("link", { name: "Sign in with Sandbox EHR" }).click();
    await signIn(page, /María Luisa Razo \(patient/);
    await allowAll(page);
    await expect(page.getByTestId("patient-name")).toHaveText("Mrs. María Luisa Razo");
    const launchUrl = page.url();

    const sentCookie = await recordSentCookies(page);
    await postFromAnotherSite(page, ehrURL, `${baseURL}/logout`, { all: "true" });
    await expect(page.getByRole("heading", { name: "Request not allowed" })).toBeVisible();
    // The browser sent the launch cookie along, so only the Origin check stopped the post.
    await expect.poll(() => sentCookie("POST", "/logout")).toContain("__Host-smart-launch-");

    await page.goto(launchUrl);
    await expect(page.getByTestId("patient-name")).toHaveText("Mrs. María Luisa Razo");
  });

  test("cannot choose the patient", async ({ page, baseURL, ehrURL }) => {
    await page.goto("/");
    await page.getByRole("link", { name: "Sign in with Sandbox EHR" }).click();
    await signIn(page);
    await allowAll(page);
    await expect(page.getByRole("heading", { name: "Choose a patient" })).toBeVisible();
    const launchUrl = page.url();
    const launchId = new URL(launchUrl).pathname.split("/")[2];

    const sentCookie = await recordSentCookies(page);
    await postFromAnotherSite(page, ehrURL, `${baseURL}/api/launches/${launchId}/patient`, { patientId: "f46d1649-8a02-4de8-8cff-f76fae267d3a" });
    await expect(page.getByRole("heading", { name: "Request not allowed" })).toBeVisible();
    await expect.poll(() => sentCookie("POST", `/api/launches/${launchId}/patient`)).toContain("__Host-smart-launch-");

    await page.goto(launchUrl);
    await expect(page.getByRole("heading", { name: "Choose a patient" })).toBeVisible();
  });
});
