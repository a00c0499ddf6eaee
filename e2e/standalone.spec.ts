import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { test, expect } from "./support/fixtures";
import { allowAll, hydrated, LAUNCH_COOKIE_PREFIX, signIn } from "./support/flows";

async function startStandalone(page: Page): Promise<void> {
  await page.goto("/");
  await page.getByRole("link", { name: "Sign in with Sandbox EHR" }).click();
}

test.describe("standalone launch", () => {
  test("patient user lands on own record", async ({ page }) => {
    await startStandalone(page);
    await signIn(page, /María Luisa Razo \(patient/);
    await allowAll(page);

    await expect(page.getByTestId("patient-name")).toHaveText("Mrs. María Luisa Razo");
    await expect(page.getByRole("heading", { name: "Choose a patient" })).toHaveCount(0);
  });

  test("denied data access offers start link", async ({ page }) => {
    await startStandalone(page);
    await signIn(page, /Trey Berge \(patient/);
    await page.getByRole("checkbox", { name: "patient/*.rs", exact: true }).uncheck();
    await page.getByRole("checkbox", { name: "user/*.rs", exact: true }).uncheck();
    await allowAll(page);

    await expect(page.getByRole("heading", { name: "No access to patient data" })).toBeVisible();
    await expect(page).toHaveTitle("Patient · SMART on FHIR with Descope");
    await page.getByRole("link", { name: "Go to the start page" }).click();
    await expect(page.getByRole("link", { name: "Sign in with Sandbox EHR" })).toBeVisible();
  });

  test("missing server redirects to start", async ({ request, baseURL }) => {
    const response = await request.get("/standalone", { maxRedirects: 0 });

    expect(response.status()).toBe(303);
    expect(response.headers()["location"]).toBe(`${baseURL}/`);
  });

  test("denied sign-in offers start link", async ({ page }) => {
    await startStandalone(page);
    await signIn(page, /Trey Berge \(patient/);
    await page.getByRole("button", { name: "Deny" }).click();

    await expect(page.getByRole("heading", { name: "Access was not granted" })).toBeVisible();
    await page.getByRole("link", { name: "Go to the start page" }).click();
    await expect(page.getByRole("link", { name: "Sign in with Sandbox EHR" })).toBeVisible();
  });

  test("launch cookies stay within Chromium's limit", async ({ page, context }) => {
    const launchUrls: string[] = [];
    for (let launch = 0; launch < 4; launch++) {
      await startStandalone(page);
      await signIn(page, /Trey Berge \(patient/);
      await allowAll(page);
      await expect(page.getByTestId("patient-name")).toHaveText("Mr. Trey Berge");
      launchUrls.push(page.url());
    }

    const cookies = (await context.cookies()).filter((cookie) => cookie.name.startsWith(LAUNCH_COOKIE_PREFIX));
    expect(cookies.reduce((sum, cookie) => sum + cookie.name.length + cookie.value.length, 0)).toBeLessThanOrEqual(10_240);
    // Every cookie the browser kept still opens its launch, the newest included.
    const heldIds = cookies.map((cookie) => cookie.name.slice(LAUNCH_COOKIE_PREFIX.length));
    expect(heldIds).toContain(new URL(launchUrls.at(-1)!).pathname.split("/")[2]);
    for (const id of heldIds) {
      await page.goto(`/launches/${id}`);
      await expect(page.getByTestId("patient-name")).toHaveText("Mr. Trey Berge");
    }

    // The app, not Chromium, ended the first launch, and logged why.
    const firstId = new URL(launchUrls[0]!).pathname.split("/")[2]!;
    const serverLog = readFileSync(path.resolve(__dirname, `../test-results/e2e-server-${test.info().project.name}.log`), "utf8");
    const evicted = serverLog.split("\n").filter((line) => line.includes('"launch.evicted"') && line.includes(firstId));
    expect(evicted.join("\n")).toContain('"reason":"cookie_bytes"');
  });

  test("practitioner picks a patient by name", async ({ page }) => {
    await startStandalone(page);
    await signIn(page);
    await allowAll(page);

    await expect(page.getByRole("heading", { name: "Choose a patient" })).toBeVisible();
    await hydrated(page);
    await page.getByLabel("Patient name").fill("gomez");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("button", { name: "Choose Mr. Raúl Gómez PhD" }).click();

    await expect(page.getByTestId("patient-name")).toHaveText("Mr. Raúl Gómez PhD");
  });

  test("picker pages through patients", async ({ page }) => {
    await startStandalone(page);
    await signIn(page);
    await allowAll(page);

    const list = page.getByRole("list", { name: "Patients" });
    await expect(list.getByRole("listitem")).toHaveCount(10);
    await page.getByRole("button", { name: "Next page" }).click();
    await expect(list.getByRole("listitem")).toHaveCount(2);
  });

  test("logout revokes and ends the session", async ({ page, request }) => {
    const before = (await (await request.get("/sandbox/descope/debug/revocations")).json()) as { refreshTokens: number; accessTokens: number };
    await startStandalone(page);
    await signIn(page, /Trey Berge \(patient/);
    await allowAll(page);
    await expect(page.getByTestId("patient-name")).toHaveText("Mr. Trey Berge");
    const launchUrl = page.url();
    const launchId = new URL(launchUrl).pathname.split("/")[2];

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByRole("heading", { name: "You are signed out" })).toBeVisible();

    const proxied = await page.evaluate(async (id) => {
      const response = await fetch(`/api/launches/${id}/fhir/Patient/f46d1649-8a02-4de8-8cff-f76fae267d3a`);
      return { status: response.status, body: (await response.json()) as { error?: { code?: string } } };
    }, launchId);
    expect(proxied.status).toBe(401);
    expect(proxied.body.error?.code).toBe("launch_not_found");

    await page.goto(launchUrl);
    await expect(page.getByRole("heading", { name: "Your session has ended" })).toBeVisible();
    const after = (await (await request.get("/sandbox/descope/debug/revocations")).json()) as { refreshTokens: number; accessTokens: number };
    expect(after.refreshTokens).toBeGreaterThan(before.refreshTokens);
    expect(after.accessTokens).toBeGreaterThan(before.accessTokens);
  });

  test("logout rejects a cross-site post", async ({ request, baseURL }) => {
    const response = await request.post("/logout", { form: { all: "true" }, headers: { origin: "https://evil.example" }, maxRedirects: 0 });
    expect(response.status()).toBe(403);
    expect(await response.text()).toContain("Request not allowed");
    expect(baseURL).toBeTruthy();
  });
});
