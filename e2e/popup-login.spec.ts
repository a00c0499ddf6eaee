import { test, expect } from "./support/fixtures";
import { allowAll, openFromEhr, signIn } from "./support/flows";

test.describe("login that refuses framing", () => {
  test("popup login completes the framed launch", async ({ page, context, ehrURL }) => {
    const frame = await openFromEhr(page, /Open app for .*Bernardo Ordóñez/, ehrURL);
    const [popup] = await Promise.all([context.waitForEvent("page"), frame.getByRole("button", { name: "Continue sign-in in a new window" }).click()]);

    await signIn(popup);
    await allowAll(popup);
    await expect.poll(() => popup.isClosed()).toBe(true);

    await expect(frame.getByTestId("patient-name")).toHaveText("Mr. Bernardo Ordóñez");
    await expect(frame.getByText(/Deceased/)).toBeVisible();
  });

  test("popup button waits for hydration", async ({ page, ehrURL, baseURL }) => {
    // Without the app's scripts the button cannot open the popup, so it must not look usable.
    await page.route(`${baseURL}/_next/static/chunks/**`, (route) => route.abort());
    const frame = await openFromEhr(page, /Open app for .*Bernardo Ordóñez/, ehrURL);

    await expect(frame.getByRole("button", { name: "Continue sign-in in a new window" })).toBeDisabled();
  });

  test("login page refuses to be framed", async ({ request }) => {
    const response = await request.get("/sandbox/descope/login");
    expect(response.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  });

  test("blocked popup offers a retry", async ({ page, context, ehrURL }) => {
    await page.addInitScript(() => {
      let blockNext = true;
      const open = window.open.bind(window);
      window.open = (...args: Parameters<typeof window.open>) => {
        if (blockNext) {
          blockNext = false;
          return null;
        }
        return open(...args);
      };
    });
    const frame = await openFromEhr(page, /Open app for .*Claudie Walsh/, ehrURL);
    await frame.getByRole("button", { name: "Continue sign-in in a new window" }).click();
    await expect(frame.getByText("The browser blocked the sign-in window")).toBeVisible();

    const [popup] = await Promise.all([context.waitForEvent("page"), frame.getByRole("button", { name: "Open the sign-in window again" }).click()]);
    await signIn(popup);
    await allowAll(popup);
    await expect(frame.getByTestId("patient-name")).toHaveText("Claudie Walsh");
  });
});
