import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, TEST_SESSION_SECRET, type RunningApp } from "./support/app-server";
import { Browser, inputs, sandboxConsent, type PageResult } from "./support/fault-browser";
import { expectErrorPage, expectLoggedOnce, expectProxyError, launchCookiesDeleted } from "./support/fault-checks";
import { findLeaks, parseLogLines, sandboxClientSecret } from "./support/fault-logs";

/**
 * Attacks on the redirect URI, over HTTP against the built app with the real
 * sandbox authorization server. The cases are unknown, reused and swapped
 * `state`, a code from another launch, an error response carrying markup, and
 * an `iss` response parameter (RFC 9207) that is not the authorization
 * server's. Every rejected callback must leave no launch behind.
 */
const RUN_FULL = process.env.UNIT_ONLY !== "1";

interface PendingLaunch {
  launchId: string;
  /** The authorization response the sandbox sent, not yet delivered to the app. */
  callback: URL;
  patientId: string;
}

describe.runIf(RUN_FULL)("callback attacks", () => {
  let app: RunningApp;
  let patientIds: string[];
  let issuer: string;

  beforeAll(async () => {
    app = await startApp();
    issuer = `${app.url}/sandbox/descope/v1/apps/Psandbox`;
    const ehr = await new Browser().get(`${app.url}/sandbox/ehr`);
    patientIds = inputs(ehr.body).filter((input) => input.name === "patient").map((input) => input.value ?? "");
    expect(patientIds.length).toBeGreaterThan(1);
  });

  afterAll(async () => {
    await app?.stop();
  });

  /** Launch from the sandbox EHR and consent, stopping before the callback. */
  async function pendingLaunch(browser: Browser, patientId = patientIds[0]!): Promise<PendingLaunch> {
    const loginPage = await browser.get(`${app.url}/sandbox/ehr/launch?patient=${encodeURIComponent(patientId)}&display=window`);
    const callback = await sandboxConsent(browser, loginPage);
    const launchId = callback.searchParams.get("state")?.split(".")[0] ?? "";
    expect(browser.launchIds("localhost")).toContain(launchId);
    return { launchId, callback, patientId };
  }

  async function readPatient(browser: Browser, launch: PendingLaunch): Promise<PageResult> {
    return browser.get(`${app.url}/api/launches/${launch.launchId}/fhir/Patient/${launch.patientId}`);
  }

  function withParams(url: URL, changes: Record<string, string | null>): URL {
    const changed = new URL(url);
    for (const [name, value] of Object.entries(changes)) {
      if (value === null) changed.searchParams.delete(name);
      else changed.searchParams.set(name, value);
    }
    return changed;
  }

  /** Expect a rejected callback that ended `launch`: its cookie deleted, its data unreachable, one log line. */
  async function expectLaunchEnded(browser: Browser, page: PageResult, launch: PendingLaunch, status: number, title: string, errorCode: string): Promise<void> {
    const requestId = expectErrorPage(page, status, title);
    expect(launchCookiesDeleted(page.headers)).toContain(launch.launchId);
    expect(browser.launchIds("localhost")).not.toContain(launch.launchId);
    await expectLoggedOnce(app.output, requestId, { event: "callback.failed", launchId: launch.launchId, errorCode });
    expectProxyError(await readPatient(browser, launch), 401, "launch_not_found");
  }

  describe("state", () => {
    // A top-level callback without its launch cookie may be a login popup's,
    // so the app responds with the error page that hands a popup's response
    // back to its opener, and logs that at info level.
    it.each([
      ["an unknown state", "state=AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB&code=abc"],
      ["a repeated unknown state", "state=AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB&state=CCCCCCCCCCCCCCCCCCCCCC.DDDDDDDDDDDDDDDDDDDDDD&code=abc"],
    ])("rejects %s", async (_name, query) => {
      const page = await new Browser().get(`${app.url}/callback?${query}&iss=${encodeURIComponent(issuer)}`);
      const requestId = expectErrorPage(page, 400, "This sign-in is not known or has expired");
      expect(page.headers.getSetCookie()).toEqual([]);
      await expect.poll(() => parseLogLines(app.output()).filter((line) => line.requestId === requestId).map((line) => line.event)).toEqual(["callback.handback"]);
    });

    it.each([
      ["a malformed state", "state=not-a-state&code=abc"],
      ["a missing state", "code=abc"],
    ])("rejects %s", async (_name, query) => {
      const page = await new Browser().get(`${app.url}/callback?${query}`);
      const requestId = expectErrorPage(page, 400, "This sign-in is not known or has expired");
      await expectLoggedOnce(app.output, requestId, { event: "callback.failed", errorCode: "unknown_launch_state" });
    });

    it("rejects a repeated state of a pending launch", async () => {
      const browser = new Browser();
      const launch = await pendingLaunch(browser);
      const page = await browser.get(`${launch.callback.href}&state=CCCCCCCCCCCCCCCCCCCCCC.DDDDDDDDDDDDDDDDDDDDDD`);
      await expectLaunchEnded(browser, page, launch, 400, "The sign-in failed", "authorization_error");
    });

    it("rejects a reused state and keeps the session", async () => {
      const browser = new Browser();
      const launch = await pendingLaunch(browser);
      const done = await browser.get(launch.callback);
      expect(done.url.pathname, browser.trace()).toBe(`/launches/${launch.launchId}`);

      const replay = await browser.get(launch.callback);
      const requestId = expectErrorPage(replay, 400, "This sign-in is not known or has expired");
      await expectLoggedOnce(app.output, requestId, { event: "callback.failed", launchId: launch.launchId, errorCode: "unknown_launch_state" });
      expect(launchCookiesDeleted(replay.headers)).toEqual([]);

      const patient = await readPatient(browser, launch);
      expect(patient.status, patient.body).toBe(200);
      expect((JSON.parse(patient.body) as { id: string }).id).toBe(launch.patientId);
    });

    it("rejects a state from another browser", async () => {
      const victim = new Browser();
      const launch = await pendingLaunch(victim);
      const attacker = new Browser();
      const page = await attacker.get(launch.callback);
      expectErrorPage(page, 400, "This sign-in is not known or has expired");
      expect(attacker.launchIds("localhost")).toEqual([]);

      // The victim's own launch is untouched and still completes.
      const done = await victim.get(launch.callback);
      expect(done.url.pathname, victim.trace()).toBe(`/launches/${launch.launchId}`);
    });

    it("rejects swapped states of two launches", async () => {
      const browser = new Browser();
      const first = await pendingLaunch(browser, patientIds[0]);
      const second = await pendingLaunch(browser, patientIds[1]);

      // The first launch's code with the second launch's state.
      const swapped = withParams(first.callback, { state: second.callback.searchParams.get("state") });
      const page = await browser.get(swapped);
      await expectLaunchEnded(browser, page, second, 400, "The sign-in was not accepted", "authorization_code_rejected");
    });
  });

  describe("code", () => {
    it("rejects a code from another launch", async () => {
      const attacker = new Browser();
      const attackerLaunch = await pendingLaunch(attacker, patientIds[1]);
      const victim = new Browser();
      const victimLaunch = await pendingLaunch(victim, patientIds[0]);

      // The attacker's code injected into the victim's callback.
      const injected = withParams(victimLaunch.callback, { code: attackerLaunch.callback.searchParams.get("code") });
      const page = await victim.get(injected);
      await expectLaunchEnded(victim, page, victimLaunch, 400, "The sign-in was not accepted", "authorization_code_rejected");
    });

    it("rejects a missing code", async () => {
      const browser = new Browser();
      const launch = await pendingLaunch(browser);
      const page = await browser.get(withParams(launch.callback, { code: null }));
      await expectLaunchEnded(browser, page, launch, 400, "The sign-in failed", "authorization_error");
    });
  });

  describe("authorization server responses", () => {
    it("renders an error description as text", async () => {
      const browser = new Browser();
      const launch = await pendingLaunch(browser);
      const description = `<img src=x onerror=alert(1)><script>alert("xss")</script>`;
      const page = await browser.get(withParams(launch.callback, { code: null, error: "invalid_scope", error_description: description }));
      await expectLaunchEnded(browser, page, launch, 400, "The sign-in failed", "authorization_error");
      expect(page.body).not.toContain("<img src=x");
      expect(page.body).not.toContain("<script>alert");
      expect(page.body).toContain("&lt;img src=x onerror=alert(1)&gt;");
    });

    it("rejects an iss that is not the authorization server", async () => {
      const browser = new Browser();
      const launch = await pendingLaunch(browser);
      const page = await browser.get(withParams(launch.callback, { iss: "https://evil.example/v1/apps/Psandbox" }));
      await expectLaunchEnded(browser, page, launch, 400, "The sign-in failed", "authorization_error");
    });

    it("rejects a missing iss", async () => {
      const browser = new Browser();
      const launch = await pendingLaunch(browser);
      const page = await browser.get(withParams(launch.callback, { iss: null }));
      await expectLaunchEnded(browser, page, launch, 400, "The sign-in failed", "authorization_error");
    });

    // Regression: an error response was believed before its `iss` was
    // checked, so anyone could end a pending launch with their own message.
    it("rejects an error response from another issuer", async () => {
      const browser = new Browser();
      const launch = await pendingLaunch(browser);
      const forged = withParams(launch.callback, { code: null, error: "access_denied", error_description: "Call 555-0100 to restore access", iss: "https://evil.example" });
      const page = await browser.get(forged);
      await expectLaunchEnded(browser, page, launch, 400, "The sign-in failed", "authorization_error");
      expect(page.body).not.toContain("555-0100");
    });
  });

  it("leaks no secret into the server output", () => {
    expect(findLeaks(app.output(), [TEST_SESSION_SECRET, sandboxClientSecret(TEST_SESSION_SECRET)])).toEqual([]);
  });
});
