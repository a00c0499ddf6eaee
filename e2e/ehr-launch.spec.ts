import { expect, test } from "./support/fixtures";
import { allowAll, hydrated, launchAndConsent, launchCookies, openFromEhr, signIn } from "./support/flows";

const PATIENTS = [
  { button: /Open app for .*María Luisa Razo/, name: "Mrs. María Luisa Razo", birthDate: "1973-08-01" },
  { button: /Open app for .*Mathilda O'Keefe/, name: "Mathilda O'Keefe", birthDate: "2006-07-31" },
  { button: /Open app for .*Duck/, name: "Duck Donald", birthDate: "Not recorded" },
];

test.describe("EHR launch", () => {
  for (const patient of PATIENTS) {
    test(`shows ${patient.name} after consent`, async ({ page }) => {
      const frame = await launchAndConsent(page, patient.button);

      await expect(frame.getByTestId("patient-name")).toHaveText(patient.name);
      await expect(frame.getByTestId("patient-birth-date")).toContainText(patient.birthDate);

      await frame.getByRole("link", { name: "Access granted" }).click();
      const scopes = frame.getByRole("table");
      await expect(scopes.getByRole("row", { name: /launch\b.*Granted/ })).toBeVisible();
      await expect(scopes.getByRole("row", { name: /patient\/\*\.rs.*Granted/ })).toBeVisible();
      await expect(frame.getByTestId("context-patient")).toContainText(patient.name);
      await expect(frame.getByTestId("signed-in-user")).toContainText("Rivera");
    });
  }

  test("lists a scope the user unticked as denied", async ({ page }) => {
    const frame = await openFromEhr(page, /Open app for .*Trey Berge/);
    await signIn(frame);
    await frame.getByRole("checkbox", { name: "fhirUser" }).uncheck();
    await allowAll(frame);

    await expect(frame.getByTestId("patient-name")).toHaveText(/Trey Berge/);
    await expect(frame.getByRole("link", { name: "Patient" })).toHaveAttribute("aria-current", "page");
    await frame.getByRole("link", { name: "Access granted" }).click();
    await expect(frame.getByRole("row", { name: /fhirUser.*Denied/ })).toBeVisible();
    await expect(frame.getByRole("link", { name: "Access granted" })).toHaveAttribute("aria-current", "page");
    await expect(frame.getByRole("link", { name: "Patient" })).not.toHaveAttribute("aria-current", "page");
  });

  test("refused openid still shows the patient", async ({ page }) => {
    const frame = await openFromEhr(page, /Open app for .*Luigi Wiegand/);
    await signIn(frame);
    await frame.getByRole("checkbox", { name: "openid", exact: true }).uncheck();
    await allowAll(frame);

    await expect(frame.getByTestId("patient-name")).toHaveText("Luigi Wiegand");
    await frame.getByRole("link", { name: "Access granted" }).click();
    await expect(frame.getByRole("row", { name: /openid.*Denied/ })).toBeVisible();
  });

  test("denied identity is not shown", async ({ page }) => {
    const frame = await openFromEhr(page, /Open app for .*Luigi Wiegand/);
    await signIn(frame);
    await frame.getByRole("checkbox", { name: "openid", exact: true }).uncheck();
    await frame.getByRole("checkbox", { name: "fhirUser" }).uncheck();
    await allowAll(frame);

    await expect(frame.getByTestId("patient-name")).toHaveText("Luigi Wiegand");
    await frame.getByRole("link", { name: "Access granted" }).click();
    await expect(frame.getByTestId("signed-in-user")).toHaveText('Not shared: the "fhirUser" permission was not granted');
  });

  test("refused launch scope is explained", async ({ page }) => {
    const frame = await openFromEhr(page, /Open app for .*Claudie Walsh/);
    await signIn(frame);
    await frame.getByRole("checkbox", { name: "launch", exact: true }).uncheck();
    await allowAll(frame);

    await expect(frame.getByRole("heading", { name: "The EHR's patient was not shared" })).toBeVisible();
    await frame.getByRole("link", { name: "Access granted" }).click();
    await expect(frame.getByTestId("context-patient")).toHaveText('Not shared: the "launch" permission was not granted');
    await expect(frame.getByTestId("context-encounter")).toHaveText('Not shared: the "launch" permission was not granted');
  });

  test("consent denied leaves no session", async ({ page }) => {
    const frame = await openFromEhr(page, /Open app for .*Raúl Gómez/);
    await signIn(frame);
    await frame.getByRole("button", { name: "Deny" }).click();

    await expect(frame.getByRole("heading", { name: "Access was not granted" })).toBeVisible();
    expect(await launchCookies(page)).toEqual([]);
    // A sign-in started inside the chart's frame would not be tied to the chart.
    await expect(frame.getByRole("link", { name: "Go to the start page" })).toHaveCount(0);
  });

  test("new window from another site", async ({ page, context, ehrURL }) => {
    await page.goto(`${ehrURL}/sandbox/ehr`);
    await hydrated(page);
    await page.getByRole("radio", { name: "In a new window" }).check();
    const [appPage] = await Promise.all([context.waitForEvent("page"), page.getByRole("button", { name: /Open app for .*Trey Berge/ }).click()]);

    await signIn(appPage);
    await allowAll(appPage);
    await expect(appPage.getByTestId("patient-name")).toHaveText("Mr. Trey Berge");
  });

  test("two tabs keep their own patients", async ({ context }) => {
    const first = await context.newPage();
    const firstFrame = await launchAndConsent(first, /Open app for .*María Luisa Razo/);
    const firstUrl = await firstFrame.locator("body").evaluate(() => window.location.href);

    const second = await context.newPage();
    const secondFrame = await launchAndConsent(second, /Open app for .*Mathilda O'Keefe/);
    const secondUrl = await secondFrame.locator("body").evaluate(() => window.location.href);
    expect(firstUrl).not.toBe(secondUrl);

    await first.goto(firstUrl);
    await second.goto(secondUrl);
    await first.reload();
    await expect(first.getByTestId("patient-name")).toHaveText("Mrs. María Luisa Razo");
    await second.reload();
    await expect(second.getByTestId("patient-name")).toHaveText("Mathilda O'Keefe");
  });
});

test.describe("launch errors", () => {
  test("untrusted issuer gets a clear 400 page", async ({ page }) => {
    const response = await page.goto("/launch?iss=https://evil.example/fhir&launch=x");
    expect(response?.status()).toBe(400);
    await expect(page.getByRole("heading", { name: "This EHR is not trusted" })).toBeVisible();
  });

  test("unknown state gets a relaunch page", async ({ page }) => {
    const response = await page.goto("/callback?state=AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB&code=abc");
    expect(response?.status()).toBe(400);
    await expect(page.getByRole("heading", { name: "This sign-in is not known or has expired" })).toBeVisible();
    await expect(page.getByText("Open the app again from your EHR")).toBeVisible();
  });

  test("authorization error is shown as text", async ({ page, baseURL }) => {
    let state = "";
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname.endsWith("/oauth2/v1/apps/authorize")) state = url.searchParams.get("state") ?? "";
    });
    const frame = await openFromEhr(page, /Open app for .*Patria Schimmel/);
    await expect(frame.getByRole("heading", { name: "Sign in to the sandbox" })).toBeVisible();
    expect(state).not.toBe("");

    const description = "<img src=x onerror=alert(1)> scope not allowed";
    // An error response counts only with the authorization server's `iss` (RFC 9207).
    const issuer = `${baseURL}/sandbox/descope/v1/apps/Psandbox`;
    const response = await page.goto(`/callback?state=${encodeURIComponent(state)}&error=invalid_request&error_description=${encodeURIComponent(description)}&iss=${encodeURIComponent(issuer)}`);
    expect(response?.status()).toBe(400);
    await expect(page.getByRole("heading", { name: "The sign-in failed" })).toBeVisible();
    await expect(page.locator("q.peer-detail")).toHaveText(description);
    await expect(page.locator("img")).toHaveCount(0);
  });
});
