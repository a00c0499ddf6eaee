import path from "node:path";
import type { Page } from "@playwright/test";
import { test, expect } from "./support/fixtures";
import { hydrated } from "./support/flows";

const AXE_SCRIPT = path.resolve(__dirname, "../node_modules/axe-core/axe.min.js");

// axe-core is injected as a script, which the app's CSP would block.
test.use({ bypassCSP: true });

/** Return axe's violations on the page, by rule id and count; `all` includes minor and moderate ones. */
async function violations(page: Page, all = false): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  const results = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: () => Promise<{ violations: Array<{ id: string; impact?: string; nodes: unknown[] }> }> } }).axe;
    return axe.run();
  });
  return results.violations
    .filter((violation) => all || violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.nodes.length})`);
}

test("keyboard-only launch passes axe checks", async ({ page }) => {
  await page.goto("/");
  expect(await violations(page)).toEqual([]);

  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Sign in with Sandbox EHR" })).toBeFocused();
  await page.keyboard.press("Enter");

  await expect(page.getByRole("heading", { name: "Sign in to the sandbox" })).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: /\(practitioner\)/ })).toBeFocused();
  await page.keyboard.press("Enter");

  await expect(page.getByRole("button", { name: "Allow" })).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await page.getByRole("button", { name: "Allow" }).focus();
  await page.keyboard.press("Enter");

  await expect(page.getByRole("heading", { name: "Choose a patient" })).toBeVisible();
  await hydrated(page);
  expect(await violations(page)).toEqual([]);
  await page.getByLabel("Patient name").focus();
  await page.keyboard.type("Walsh");
  await page.keyboard.press("Enter");
  await page.getByRole("button", { name: "Choose Claudie Walsh" }).focus();
  await page.keyboard.press("Enter");

  await expect(page.getByTestId("patient-name")).toHaveText("Claudie Walsh");
  await expect(page.getByRole("heading", { name: "Allergies" })).toBeVisible();
  expect(await violations(page)).toEqual([]);

  await page.getByRole("link", { name: "Access granted" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Access granted to this app" })).toBeVisible();
  expect(await violations(page)).toEqual([]);
});

test("route error pages pass axe checks", async ({ page }) => {
  // Untrusted, so the app rejects it without sending it any request.
  await page.goto("/launch?iss=http://127.0.0.1:9/fhir&launch=x");
  await expect(page.getByRole("heading", { name: "This EHR is not trusted" })).toBeVisible();
  expect(await violations(page, true)).toEqual([]);

  await page.goto("/callback?state=AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB&code=abc");
  await expect(page.getByRole("alert")).toBeVisible();
  expect(await violations(page, true)).toEqual([]);
});
