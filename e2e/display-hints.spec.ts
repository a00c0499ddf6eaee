import { test, expect } from "./support/fixtures";
import { launchAndConsent, openFromEhr, signIn, allowAll } from "./support/flows";

test.describe("SMART display hints", () => {
  test("need_patient_banner false hides the banner", async ({ page }) => {
    const frame = await openFromEhr(page, /Open app for .*Peter James Chalmers/, undefined, async (ehr) => {
      await ehr.getByRole("radio", { name: "The EHR already shows the patient" }).check();
    });
    await signIn(frame);
    await allowAll(frame);

    await expect(frame.getByRole("heading", { name: "Demographics" })).toBeVisible();
    await expect(frame.getByRole("region", { name: "Patient banner" })).toHaveCount(0);
  });

  test("smart_style_url changes the colours", async ({ page }) => {
    const styled = await launchAndConsent(page, /Open app for .*Trey Berge/);
    await expect(styled.locator(".launch-shell")).toHaveAttribute("data-smart-style", "applied");
    const styledBackground = await styled.locator(".launch-shell").evaluate((element) => getComputedStyle(element).backgroundColor);

    const plain = await openFromEhr(page, /Open app for .*Trey Berge/, undefined, async (ehr) => {
      await ehr.getByLabel(/App style/).selectOption("none");
    });
    await signIn(plain);
    await allowAll(plain);
    await expect(plain.locator(".launch-shell")).toHaveAttribute("data-smart-style", "none");
    const plainBackground = await plain.locator(".launch-shell").evaluate((element) => getComputedStyle(element).backgroundColor);

    expect(styledBackground).not.toBe(plainBackground);
  });

  test("unknown intent opens the default view", async ({ page }) => {
    const frame = await openFromEhr(page, /Open app for .*Mathilda O'Keefe/, undefined, async (ehr) => {
      await ehr.getByLabel("Intent").fill("reconcile-medications");
    });
    await signIn(frame);
    await allowAll(frame);
    await expect(frame.getByTestId("patient-name")).toHaveText("Mathilda O'Keefe");
  });

  test("access-review intent opens the access view", async ({ page }) => {
    const frame = await openFromEhr(page, /Open app for .*Mathilda O'Keefe/, undefined, async (ehr) => {
      await ehr.getByLabel("Intent").fill("access-review");
    });
    await signIn(frame);
    await allowAll(frame);
    await expect(frame.getByRole("heading", { name: "Access granted to this app" })).toBeVisible();
  });
});
