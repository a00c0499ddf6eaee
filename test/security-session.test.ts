import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sealData } from "iron-session";
import { Browser, LAUNCH_COOKIE_PREFIX, rawGet, type PageResult } from "./support/fault-browser";
import { expectErrorPage, expectLoggedOnce, expectProxyError } from "./support/fault-checks";
import { startCountingServer, type CountingServer } from "./support/fault-fhir-server";
import { findLeaks, parseLogLines } from "./support/fault-logs";
import { DEFAULT_ACCOUNT, FAULT_PATIENT_ID, startFaultStack, type FaultStack } from "./support/fault-stack";

/**
 * Attacks on a running session, over HTTP against the built app in Descope
 * mode with the fault-injecting authorization server and FHIR stub. The
 * cases are tampered, truncated, foreign and swapped launch cookies, open
 * redirects through every redirect the app makes, and path traversal and
 * absolute URLs through the FHIR proxy, sent raw as Next.js receives them.
 * Then FHIR data and token responses that point at another server, and
 * cross-site posts to logout and to the patient picker. A loopback "evil"
 * server counts what reaches it and must receive nothing.
 */
const RUN_FULL = process.env.UNIT_ONLY !== "1";
const HOST = "localhost";

describe.runIf(RUN_FULL)("session attacks", () => {
  let stack: FaultStack;
  let evil: CountingServer;
  let appUrl: string;

  beforeAll(async () => {
    evil = await startCountingServer();
    stack = await startFaultStack();
    appUrl = stack.app.url;
  });

  beforeEach(() => {
    stack.as.account = { ...DEFAULT_ACCOUNT };
    stack.as.tokenResponseExtras = {};
    stack.fhir.clearFaults();
  });

  afterAll(async () => {
    await stack?.stop();
    await evil?.stop();
  });

  async function completedLaunch(browser: Browser, kind: "ehr" | "standalone" = "ehr"): Promise<string> {
    const { page, launchId } = kind === "ehr" ? await stack.ehrLaunch(browser) : await stack.standaloneLaunch(browser);
    expect(page.status, `${browser.trace()}\n${page.body.slice(0, 600)}`).toBe(200);
    return launchId!;
  }

  function readPatient(browser: Browser, launchId: string): Promise<PageResult> {
    return browser.get(`${appUrl}/api/launches/${launchId}/fhir/Patient/${FAULT_PATIENT_ID}`);
  }

  async function expectPatientReadable(browser: Browser, launchId: string): Promise<void> {
    const page = await readPatient(browser, launchId);
    expect(page.status, page.body.slice(0, 300)).toBe(200);
  }

  /** Return true when a path the FHIR stub received (already normalized by its URL parser) lies below its base. */
  function isBelowBase(path: string): boolean {
    const pathname = path.split("?")[0]!;
    return pathname.startsWith("/fhir/") && !pathname.includes("..");
  }

  function cookieName(launchId: string): string {
    return `${LAUNCH_COOKIE_PREFIX}${launchId}`;
  }

  describe("launch cookies", () => {
    /** Replace the cookie of `launchId` with `value`, check that the launch is closed to it, then restore it. */
    async function expectCookieRejected(browser: Browser, launchId: string, value: string): Promise<void> {
      const original = browser.jar.get(HOST, cookieName(launchId))!;
      browser.jar.set(HOST, cookieName(launchId), value);
      const requestsBefore = stack.fhir.requests.length;

      const error = expectProxyError(await readPatient(browser, launchId), 401, "launch_not_found");
      const line = await expectLoggedOnce(stack.app.output, error.requestId, { event: "fhir.failed", launchId, errorCode: "launch_not_found" });
      expect(line.detail).toContain("did not open");

      const page = await browser.get(`${appUrl}/launches/${launchId}`);
      expect(page.status).toBe(200);
      expect(page.body).toContain("Your session has ended");
      expect(stack.fhir.requests.length, "the FHIR server received a request").toBe(requestsBefore);

      browser.jar.set(HOST, cookieName(launchId), original);
      await expectPatientReadable(browser, launchId);
    }

    it("rejects a tampered cookie", async () => {
      const browser = new Browser();
      const launchId = await completedLaunch(browser);
      const value = browser.jar.get(HOST, cookieName(launchId))!;
      const index = Math.floor(value.length / 2);
      await expectCookieRejected(browser, launchId, `${value.slice(0, index)}${value[index] === "A" ? "B" : "A"}${value.slice(index + 1)}`);
    });

    it("rejects a truncated cookie", async () => {
      const browser = new Browser();
      const launchId = await completedLaunch(browser);
      const value = browser.jar.get(HOST, cookieName(launchId))!;
      await expectCookieRejected(browser, launchId, value.slice(0, value.length - 20));
    });

    it("rejects a cookie sealed with another secret", async () => {
      const browser = new Browser();
      const launchId = await completedLaunch(browser);
      const forged = await sealData(
        {
          id: launchId,
          kind: "ehr",
          iss: stack.fhir.base,
          createdAt: Date.now(),
          requestedScope: "launch patient/*.rs",
          launchContext: {},
          tokens: { accessToken: "forged-access-token", tokenType: "bearer", scope: "patient/*.rs", expiresAt: Date.now() + 3_600_000 },
          context: { patient: FAULT_PATIENT_ID },
        },
        { password: "another-deployment-secret-SEEDED-ffffffff", ttl: 3600 },
      );
      await expectCookieRejected(browser, launchId, forged);
      expect(stack.fhir.requests.some((request) => request.path.includes("forged"))).toBe(false);
    });

    it("rejects a cookie copied from another launch", async () => {
      const browser = new Browser();
      const first = await completedLaunch(browser);
      const second = await completedLaunch(browser);
      await expectCookieRejected(browser, second, browser.jar.get(HOST, cookieName(first))!);
      await expectPatientReadable(browser, first);
    });

    it("rejects a cookie under a made-up launch id", async () => {
      const browser = new Browser();
      const launchId = await completedLaunch(browser);
      const madeUp = "AAAAAAAAAAAAAAAAAAAAAA";
      browser.jar.set(HOST, cookieName(madeUp), browser.jar.get(HOST, cookieName(launchId))!);
      expectProxyError(await readPatient(browser, madeUp), 401, "launch_not_found");
    });

    // Regression: a launch page whose cookie did not open showed "Your session
    // has ended" without any log line, so tampering went unnoticed.
    it("logs a rejected cookie on a launch page", async () => {
      const browser = new Browser();
      const launchId = await completedLaunch(browser);
      browser.jar.set(HOST, cookieName(launchId), "Fe26.2*1*tampered");
      const page = await browser.get(`${appUrl}/launches/${launchId}/consent`);
      expect(page.body).toContain("Your session has ended");
      await expect
        .poll(() => parseLogLines(stack.app.output()).filter((line) => line.event === "launch.cookie_rejected" && line.launchId === launchId))
        .toHaveLength(1);
      const line = parseLogLines(stack.app.output()).find((line) => line.event === "launch.cookie_rejected" && line.launchId === launchId)!;
      expect(line.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("deletes a rejected cookie on the next launch", async () => {
      const browser = new Browser();
      const launchId = await completedLaunch(browser);
      browser.jar.set(HOST, cookieName(launchId), "Fe26.2*1*tampered");
      await completedLaunch(browser);
      expect(browser.launchIds(HOST)).not.toContain(launchId);
    });
  });

  describe("open redirects", () => {
    const EVIL_TARGETS = ["https://evil.example/", "//evil.example", "/\\evil.example", "https:evil.example"];

    /** Every redirect must stay on the app or go to the authorization server's authorize endpoint with the app's redirect URI. */
    function expectSafeLocation(location: string | undefined | null, context: string): void {
      if (!location) return;
      const target = new URL(location, appUrl);
      if (target.origin === new URL(appUrl).origin) return;
      expect(target.origin + target.pathname, context).toBe(`${stack.as.baseUrl}/authorize`);
      expect(target.searchParams.get("redirect_uri"), context).toBe(`${appUrl}/callback`);
    }

    function redirectParams(): Record<string, string> {
      const params: Record<string, string> = {};
      ["returnTo", "return_to", "redirect", "redirect_uri", "next", "url", "target", "continue"].forEach((name, index) => {
        params[name] = EVIL_TARGETS[index % EVIL_TARGETS.length]!;
      });
      return params;
    }

    it("keeps /launch and /standalone on the authorization server", async () => {
      const query = new URLSearchParams({ iss: stack.fhir.base, launch: "x", ...redirectParams() });
      for (const path of ["/launch", "/standalone"]) {
        const page = await new Browser().get(`${appUrl}${path}?${query}`, { noFollow: true });
        expect(page.status).toBe(303);
        expectSafeLocation(page.headers.get("location"), path);
      }
    });

    it("keeps /callback on the app whatever parameters and intent arrive", async () => {
      for (const intent of ["https://evil.example", "//evil.example", "/../../evil", "access-review"]) {
        stack.as.tokenResponseExtras = { intent };
        const browser = new Browser();
        let callback: URL | undefined;
        await browser.get(`${appUrl}/launch?iss=${encodeURIComponent(stack.fhir.base)}&launch=x`, { stopBefore: (next) => (next.pathname === "/callback" ? ((callback = next), true) : false) });
        const url = new URL(callback!);
        for (const [name, value] of Object.entries(redirectParams())) if (name !== "redirect_uri") url.searchParams.set(name, value);
        const page = await browser.get(url, { noFollow: true });
        expect(page.status, page.body.slice(0, 300)).toBe(303);
        const location = new URL(page.headers.get("location")!);
        expect(location.origin, intent).toBe(appUrl);
        expect(location.pathname, intent).toMatch(/^\/launches\/[A-Za-z0-9_-]+(\/consent)?$/);
      }
    });

    it("keeps /logout on the app", async () => {
      const browser = new Browser();
      const launchId = await completedLaunch(browser);
      const page = await browser.post(`${appUrl}/logout`, { launchId, ...redirectParams() }, { headers: { origin: appUrl }, noFollow: true });
      expect(page.status).toBe(303);
      expect(page.headers.get("location")).toBe(`${appUrl}/signed-out`);
    });

    it("keeps the patient choice on the app", async () => {
      stack.as.account = { sub: "clinician-2", name: "Dr. Edsger Dijkstra", fhirUser: "Practitioner/clinician-2" };
      const browser = new Browser();
      const launchId = await completedLaunch(browser, "standalone");
      const page = await browser.post(`${appUrl}/api/launches/${launchId}/patient`, { patientId: "fault-patient-2", ...redirectParams() }, { headers: { origin: appUrl }, noFollow: true });
      expect(page.status, page.body.slice(0, 300)).toBe(303);
      expect(page.headers.get("location")).toBe(`${appUrl}/launches/${launchId}`);
    });

    it.each([
      "//evil.example/",
      "//evil.example/%2e%2e",
      "//evil.example/signed-out/",
      "/\\evil.example/",
      "/%5Cevil.example/",
      "/%2F%2Fevil.example",
      "/%2F%2Fevil.example/",
      "/signed-out/",
      "/signed-out//evil.example",
      "/launches/AAAAAAAAAAAAAAAAAAAAAA/..%2F..%2F%2F%2Fevil.example",
      "/_next/image?url=https%3A%2F%2Fevil.example%2Fx.png&w=64&q=75",
      "/_next/image?url=%2F%2Fevil.example%2Fx.png&w=64&q=75",
    ])("does not redirect %s to another origin", async (rawPath) => {
      const response = await rawGet(appUrl, rawPath);
      const location = response.headers.location;
      expectSafeLocation(typeof location === "string" ? location : undefined, `${rawPath} -> ${response.status} ${String(location)}`);
      expect(response.status).not.toBe(200);
    });

    it("sent nothing to the evil server", () => {
      expect(evil.requests).toEqual([]);
    });
  });

  describe("FHIR proxy paths", () => {
    let browser: Browser;
    let launchId: string;

    beforeAll(async () => {
      browser = new Browser();
      launchId = await completedLaunch(browser);
    });

    function probes(): string[] {
      const evilHost = new URL(evil.origin).host;
      return [
        "../../../sandbox/fhir/Patient",
        "..%2F..%2F..%2Fadmin",
        "%2e%2e/%2e%2e/%2e%2e/admin",
        "%2E%2E%2F%2E%2E%2Fadmin",
        "Patient/..%2F..%2F..%2Fadmin",
        "Patient%2F..%2F..%2Fadmin",
        "Patient/%2e%2e/%2e%2e/admin",
        "..%252f..%252fadmin",
        "Patient/..%5C..%5Cadmin",
        "Patient/..;/admin",
        "Patient/a%00b",
        "Patient/%0d%0aX-Injected:%201",
        `http:%2F%2F${evilHost}%2Fsteal`,
        `http://${evilHost}/steal`,
        `%2F%2F${evilHost}%2Fsteal`,
        `//${evilHost}/steal`,
        `@${evilHost}/steal`,
        `Patient@${evilHost}`,
        "Patient/1/_history/1/extra/segments",
      ];
    }

    it("rejects traversal and absolute URLs without a request upstream", async () => {
      const cookie = browser.jar.header(new URL(appUrl));
      const requestsBefore = stack.fhir.requests.length;
      const results: string[] = [];
      for (const probe of probes()) {
        let response = await rawGet(appUrl, `/api/launches/${launchId}/fhir/${probe}`, { cookie });
        // Next.js responds to a path with "//" with a 308 to the same path with one slash.
        const location = response.headers.location;
        if (response.status === 308 && typeof location === "string") {
          expect(new URL(location, appUrl).origin, `${probe} -> ${location}`).toBe(appUrl);
          response = await rawGet(appUrl, new URL(location, appUrl).pathname, { cookie });
        }
        results.push(`${probe} -> ${response.status}`);
        expect([400, 404], `${probe} -> ${response.status} ${response.body.slice(0, 200)}`).toContain(response.status);
        expect(findLeaks(response.body, stack.secrets())).toEqual([]);
      }
      expect(stack.fhir.requests.slice(requestsBefore), results.join("\n")).toEqual([]);
      expect(evil.requests).toEqual([]);
      await expectPatientReadable(browser, launchId);
    });

    it("sends queries only below the FHIR base", async () => {
      const requestsBefore = stack.fhir.requests.length;
      const page = await browser.get(`${appUrl}/api/launches/${launchId}/fhir/Observation?patient=${FAULT_PATIENT_ID}&x=..%2F..%2Fadmin&y=@evil.example`);
      expect(page.status).toBe(200);
      const sent = stack.fhir.requests.slice(requestsBefore);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.path.startsWith("/fhir/Observation?")).toBe(true);
    });
  });

  describe("data that points at another server", () => {
    let browser: Browser;
    let launchId: string;

    beforeAll(async () => {
      browser = new Browser();
      launchId = await completedLaunch(browser);
    });

    it("drops next links outside the FHIR base", async () => {
      const targets = [`${evil.origin}/fhir/Patient?page=2`, `${stack.fhir.base}.evil/Patient?page=2`, `${stack.fhir.origin}/other/Patient?page=2`];
      for (const target of targets) {
        stack.fhir.inject({ kind: "next-link", url: target });
        const page = await browser.get(`${appUrl}/api/launches/${launchId}/fhir/Patient?_count=1`);
        expect(page.status).toBe(200);
        const bundle = JSON.parse(page.body) as { link: Array<{ relation: string; url: string }> };
        expect(bundle.link.map((link) => link.relation), target).toEqual(["self"]);
        expect(page.body).not.toContain(target);
      }
      expect(evil.requests).toEqual([]);
      expect(stack.fhir.requests.every((request) => request.path.startsWith("/fhir/")), JSON.stringify(stack.fhir.requests.map((request) => request.path))).toBe(true);
    });

    it("keeps a next link below the base inside the proxy", async () => {
      stack.fhir.inject({ kind: "next-link", url: `${stack.fhir.base}/../admin?page=2` });
      const page = await browser.get(`${appUrl}/api/launches/${launchId}/fhir/Patient?_count=1`);
      const next = (JSON.parse(page.body) as { link: Array<{ relation: string; url: string }> }).link.find((link) => link.relation === "next");
      if (next) {
        const followed = await browser.get(new URL(next.url, appUrl));
        expect(followed.status).not.toBe(200);
      }
      expect(stack.fhir.requests.every((request) => isBelowBase(request.path))).toBe(true);
    });

    it("does not follow a FHIR redirect", async () => {
      stack.fhir.inject({ kind: "redirect", location: `${evil.origin}/steal` }, { path: /^Patient\// });
      const error = expectProxyError(await readPatient(browser, launchId), 502, "fhir_unavailable");
      await expectLoggedOnce(stack.app.output, error.requestId, { event: "fhir.failed", launchId, errorCode: "fhir_unavailable" });
      expect(evil.requests).toEqual([]);
      await expectPatientReadable(browser, launchId);
    });

    it("does not look up a fhirUser on another server", async () => {
      const fhirUser = `${evil.origin}/fhir/Practitioner/steal`;
      stack.as.account = { ...DEFAULT_ACCOUNT, name: "", fhirUser };
      const other = new Browser();
      const otherLaunch = await completedLaunch(other);
      const page = await other.get(`${appUrl}/launches/${otherLaunch}/consent`);
      expect(page.status).toBe(200);
      expect(page.body).toContain(fhirUser);
      expect(evil.requests).toEqual([]);
    });

    it("does not fetch a style from another server", async () => {
      stack.as.tokenResponseExtras = { smart_style_url: `${evil.origin}/smart-style.json` };
      const other = new Browser();
      const otherLaunch = await completedLaunch(other);
      const page = await other.get(`${appUrl}/launches/${otherLaunch}`);
      expect(page.body).toContain('data-smart-style="none"');
      expect(evil.requests).toEqual([]);
      expect(parseLogLines(stack.app.output()).some((line) => line.event === "style.untrusted_url" && line.launchId === otherLaunch)).toBe(true);
    });

    // Regression: a style URL that did not parse was dropped without a log line.
    it("logs a style URL that is not a URL", async () => {
      stack.as.tokenResponseExtras = { smart_style_url: "not a URL" };
      const { page, launchId: otherLaunch } = await stack.ehrLaunch(new Browser());
      expect(page.body).toContain('data-smart-style="none"');
      await expect.poll(() => parseLogLines(stack.app.output()).filter((line) => line.event.startsWith("style.") && line.launchId === otherLaunch).length).toBe(1);
    });

    it("does not leave the base for a patient id with dot segments", async () => {
      stack.as.account = { ...DEFAULT_ACCOUNT, patient: "../../admin" };
      const other = new Browser();
      const otherLaunch = await completedLaunch(other);
      const page = await other.get(`${appUrl}/launches/${otherLaunch}/consent`);
      expect(page.status).toBe(200);
      const proxied = await other.get(`${appUrl}/api/launches/${otherLaunch}/fhir/Patient/${encodeURIComponent("../../admin")}`);
      expect(proxied.status).toBe(400);
      expect(stack.fhir.requests.every((request) => isBelowBase(request.path))).toBe(true);
    });
  });

  describe("cross-site requests", () => {
    const CROSS_SITE: Array<[string, Record<string, string>]> = [
      ["another origin", { origin: "https://evil.example" }],
      ["no Origin", {}],
      ["Origin null", { origin: "null" }],
      ["the app's Origin with Sec-Fetch-Site cross-site", { origin: "APP", "sec-fetch-site": "cross-site" }],
      ["the app's Origin with Sec-Fetch-Site same-site", { origin: "APP", "sec-fetch-site": "same-site" }],
    ];

    function headersFor(template: Record<string, string>): Record<string, string> {
      return Object.fromEntries(Object.entries(template).map(([name, value]) => [name, value === "APP" ? appUrl : value]));
    }

    it.each(CROSS_SITE)("rejects a logout with %s", async (_name, template) => {
      const browser = new Browser();
      const launchId = await completedLaunch(browser);
      const revocations = stack.as.counts.revoke;
      const page = await browser.post(`${appUrl}/logout`, { launchId, all: "true" }, { headers: headersFor(template), noFollow: true });
      const requestId = expectErrorPage(page, 403, "Request not allowed");
      await expectLoggedOnce(stack.app.output, requestId, { event: "logout.failed", errorCode: "forbidden" });
      expect(stack.as.counts.revoke).toBe(revocations);
      expect(browser.launchIds(HOST)).toContain(launchId);
      await expectPatientReadable(browser, launchId);
    });

    it("rejects a logout by GET", async () => {
      const browser = new Browser();
      const launchId = await completedLaunch(browser);
      const page = await browser.get(`${appUrl}/logout?launchId=${launchId}&all=true`, { noFollow: true });
      const requestId = expectErrorPage(page, 403, "Request not allowed");
      await expectLoggedOnce(stack.app.output, requestId, { event: "logout.failed", errorCode: "forbidden" });
      expect(browser.launchIds(HOST)).toContain(launchId);
      await expectPatientReadable(browser, launchId);
    });

    it.each(CROSS_SITE)("rejects a patient choice with %s", async (_name, template) => {
      stack.as.account = { sub: "clinician-3", name: "Dr. Barbara Liskov", fhirUser: "Practitioner/clinician-3" };
      const browser = new Browser();
      const launchId = await completedLaunch(browser, "standalone");
      const page = await browser.post(`${appUrl}/api/launches/${launchId}/patient`, { patientId: "fault-patient-2" }, { headers: headersFor(template), noFollow: true });
      const requestId = expectErrorPage(page, 403, "Request not allowed");
      await expectLoggedOnce(stack.app.output, requestId, { event: "launch.patient_choice_failed", launchId, errorCode: "forbidden" });

      // No patient was bound: the launch still shows the picker.
      const launchPage = await browser.get(`${appUrl}/launches/${launchId}`);
      expect(launchPage.body).toContain("Choose a patient");
    });

    it("accepts a patient choice from the app itself", async () => {
      stack.as.account = { sub: "clinician-3", name: "Dr. Barbara Liskov", fhirUser: "Practitioner/clinician-3" };
      const browser = new Browser();
      const launchId = await completedLaunch(browser, "standalone");
      const page = await browser.post(`${appUrl}/api/launches/${launchId}/patient`, { patientId: "fault-patient-2" }, { headers: { origin: appUrl, "sec-fetch-site": "same-origin" } });
      expect(page.status).toBe(200);
      expect(page.url.pathname).toBe(`/launches/${launchId}`);
      expect(page.body).not.toContain("Choose a patient");
    });
  });

  it("leaks no token or secret into the server output", () => {
    expect(findLeaks(stack.app.output(), stack.secrets())).toEqual([]);
  });
});
