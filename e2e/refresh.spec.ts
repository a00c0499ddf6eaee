import { test, expect } from "./support/fixtures";
import { allowAll, hydrated, signIn } from "./support/flows";

test.describe("token refresh", () => {
  test("data keeps loading after the token expires", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("link", { name: "Sign in with Sandbox EHR" }).click();
    await signIn(page, /Patria Schimmel \(patient/);
    await allowAll(page);
    await expect(page.getByTestId("patient-name")).toHaveText("Mrs. Patria Schimmel");
    const patientUrl = page.url();

    await page.getByRole("link", { name: "Access granted" }).click();
    const firstExpiry = Date.parse((await page.locator("time").getAttribute("datetime")) ?? "");
    expect(Number.isNaN(firstExpiry)).toBe(false);

    // The sandbox issues 5-second tokens on this server; wait until the first has expired.
    await expect.poll(() => Date.now(), { timeout: 15_000 }).toBeGreaterThan(firstExpiry + 500);

    await page.goto(patientUrl);
    await expect(page.getByTestId("patient-name")).toHaveText("Mrs. Patria Schimmel");
    await expect(page.getByRole("region", { name: "Conditions" }).getByRole("listitem").first()).toBeVisible();

    await page.getByRole("link", { name: "Access granted" }).click();
    const laterExpiry = Date.parse((await page.locator("time").getAttribute("datetime")) ?? "");
    expect(laterExpiry).toBeGreaterThan(firstExpiry);
  });

  test("refresh failure shows the relaunch page", async ({ page, context }) => {
    await page.goto("/sandbox/ehr");
    await hydrated(page);
    await page.getByLabel(/Simulated error/).selectOption("token_refresh_error");
    await page.getByRole("radio", { name: "In a new window" }).check();
    const [appPage] = await Promise.all([context.waitForEvent("page"), page.getByRole("button", { name: /Open app for .*Luigi Wiegand/ }).click()]);

    await signIn(appPage);
    await allowAll(appPage);
    await expect(appPage.getByRole("heading", { name: "Your access has expired" }).first()).toBeVisible();
    await expect(appPage.getByText("Open the app again from your EHR").first()).toBeVisible();
  });
});
