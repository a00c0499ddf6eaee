import { expect, type FrameLocator, type Page } from "@playwright/test";

export const LAUNCH_COOKIE_PREFIX = "__Host-smart-launch-";

/**
 * Open the sandbox EHR and launch the app for the patient whose name matches
 * `patient`. With `ehrURL`, the EHR runs on that origin, another site than the app.
 */
export async function openFromEhr(page: Page, patient: RegExp, ehrURL?: string, options: (page: Page) => Promise<void> = async () => {}): Promise<FrameLocator> {
  await page.goto(ehrURL ? `${ehrURL}/sandbox/ehr` : "/sandbox/ehr");
  await hydrated(page);
  await options(page);
  await page.getByRole("button", { name: patient }).click();
  return page.frameLocator('iframe[title="SMART app"]');
}

/** Wait until React has hydrated the page, so that a checked control is not reset by hydration. */
export async function hydrated(target: FrameLocator | Page): Promise<void> {
  await target.locator("html[data-hydrated]").waitFor({ state: "attached" });
}

/** Sign in on the sandbox login page with the button of the user whose label matches `user`. */
export async function signIn(frame: FrameLocator | Page, user: RegExp = /\(practitioner\)/): Promise<void> {
  await frame.getByRole("button", { name: user }).click();
}

/** Approve every requested scope on the sandbox consent page. */
export async function allowAll(frame: FrameLocator | Page): Promise<void> {
  await frame.getByRole("button", { name: "Allow" }).click();
}

/** Launch for `patient` as the practitioner and wait for the patient banner. */
export async function launchAndConsent(page: Page, patient: RegExp): Promise<FrameLocator> {
  const frame = await openFromEhr(page, patient);
  await signIn(frame);
  await allowAll(frame);
  await expect(frame.getByRole("region", { name: "Patient banner" })).toBeVisible();
  return frame;
}

/** Names of the launch cookies the browser holds, with a value. */
export async function launchCookies(page: Page): Promise<string[]> {
  const cookies = await page.context().cookies();
  return cookies.filter((cookie) => cookie.name.startsWith(LAUNCH_COOKIE_PREFIX) && cookie.value !== "").map((cookie) => cookie.name);
}
