import { test, expect } from "./support/fixtures";
import { allowAll, openFromEhr, signIn } from "./support/flows";

test.describe("cross-site EHR frame", () => {
  test("launch completes in a third-party frame", async ({ page, ehrURL, baseURL }) => {
    expect(new URL(ehrURL).hostname).not.toBe(new URL(baseURL!).hostname);
    const frame = await openFromEhr(page, /Open app for .*Luigi Wiegand/, ehrURL);
    await signIn(frame);
    await allowAll(frame);

    await expect(frame.getByTestId("patient-name")).toHaveText("Luigi Wiegand");
    const cookies = await page.context().cookies(baseURL);
    const launchCookie = cookies.find((cookie) => cookie.name.startsWith("__Host-smart-launch-"));
    expect(launchCookie?.sameSite).toBe("None");
    expect(launchCookie?.secure).toBe(true);
    expect(launchCookie?.httpOnly).toBe(true);
  });

  test("app pages name the trusted EHRs as frame ancestors", async ({ request, ehrURL }) => {
    const response = await request.get("/launch?iss=x&launch=y");
    const policy = response.headers()["content-security-policy"] ?? "";
    expect(policy).toContain(`frame-ancestors 'self' ${new URL(response.url()).origin} ${ehrURL}`);
  });

  test("status page is never framed", async ({ request }) => {
    const response = await request.get("/status");
    expect(response.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(response.headers()["x-frame-options"]).toBe("DENY");
  });

  test("untrusted site cannot frame the app", async ({ page, baseURL }) => {
    await page.route("http://evil.test/**", (route) =>
      route.fulfill({ contentType: "text/html", body: `<!doctype html><title>Evil</title><iframe title="victim" src="${baseURL}/"></iframe>` }),
    );
    await page.goto("http://evil.test/", { waitUntil: "load" });

    // Chromium replaces a frame whose frame-ancestors forbid the parent with its error page.
    const victim = page.frames().find((frame) => frame !== page.mainFrame());
    await expect.poll(() => victim?.url()).toMatch(/^chrome-error:/);
    await expect(page.frameLocator('iframe[title="victim"]').getByRole("heading", { name: "SMART on FHIR with Descope" })).toHaveCount(0);
  });
});
