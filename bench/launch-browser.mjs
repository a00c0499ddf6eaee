import { chromium } from "@playwright/test";
import { ehrLaunchUrl } from "./lib/sandbox-http.mjs";
import { summarize } from "./lib/stats.mjs";

/**
 * Benchmark 1: launch to patient visible, in headless Chromium.
 *
 * Three scenarios, each run in a fresh browser context and interleaved so
 * that drift of the machine hits all of them alike:
 * - `ehr`: from the click on "Open app for …" in the sandbox EHR to our
 *   patient name in the EHR's iframe, as the e2e tests launch.
 * - `ours` and `reference`: from setting the src of a host page's iframe to
 *   a launch URL with a fresh EHR launch token, to the patient name in that
 *   frame. The host page, not the EHR, frames both apps, because the EHR's
 *   CSP lets it frame only our app. Both apps are on http://localhost and the
 *   host page too, so fhirclient's sessionStorage works in the frame: Chromium
 *   blocks it in a cross-site frame when third-party cookies are blocked.
 */

/** Chromium flags of playwright.config.ts, so the browser behaves as in the e2e tests. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--test-third-party-cookie-phaseout",
];

/** Launch headless Chromium from /usr/bin/chromium, or from CHROMIUM_PATH when set. */
export async function launchChromium() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

const STEP_TIMEOUT_MS = 30_000;

/**
 * Record every request of the page with its frame and timing, from `start()`
 * until `stop()`. Requests still in flight are counted too, so that a run can
 * wait for them and the next run does not share the server with them.
 */
function recordRequests(page) {
  const requests = [];
  const inFlight = new Set();
  let recording = false;
  page.on("request", (request) => {
    inFlight.add(request);
    if (recording) requests.push(request);
  });
  page.on("requestfinished", (request) => inFlight.delete(request));
  page.on("requestfailed", (request) => inFlight.delete(request));
  return {
    start: () => (recording = true),
    stop: () => {
      recording = false;
      return requests;
    },
    /** Wait until no request is in flight, at most `timeoutMs`. */
    settle: async (timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (inFlight.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    },
  };
}

/** Return who served a document in the app's frame. */
function documentOwner(url, appOrigin) {
  const { origin, pathname } = new URL(url);
  if (pathname.startsWith("/sandbox/ehr")) return "ehr";
  if (pathname.startsWith("/sandbox/descope")) return "authorization server";
  return origin === appOrigin ? "app" : "other";
}

function describeRequest(request) {
  const timing = request.timing();
  const response = request.redirectedTo() ? "redirect" : undefined;
  return {
    request: `${request.method()} ${new URL(request.url()).pathname}`,
    type: request.resourceType(),
    inAppFrame: request.frame().parentFrame() !== null,
    navigation: request.isNavigationRequest(),
    redirect: response === "redirect",
    url: request.url(),
    // Epoch milliseconds on the browser's clock, like Date.now() in the page.
    startedAt: timing.startTime,
    endedAt: timing.responseEnd >= 0 ? timing.startTime + timing.responseEnd : undefined,
  };
}

/**
 * Count the requests and document loads of the app's frame. Split the launch
 * into the part the app controls and the authorization server's sign-in and
 * consent, which both apps share. The app controls the time until the browser
 * requests the authorization endpoint and the time after the redirect back.
 */
function analyzeRun(requests, appOrigin, startedAt, endedAt) {
  const recorded = requests.map(describeRequest);
  // Counts cover the requests sent before the name was visible; the timeline also shows the later ones.
  const all = recorded.filter((request) => request.startedAt <= endedAt);
  const frame = all.filter((request) => request.inAppFrame);
  const documents = frame.filter((request) => request.navigation);
  const byOwner = {};
  for (const document of documents) {
    const owner = documentOwner(document.url, appOrigin);
    byOwner[owner] = (byOwner[owner] ?? 0) + 1;
  }
  const byType = {};
  for (const request of frame) byType[request.type] = (byType[request.type] ?? 0) + 1;

  const authorize = documents.find((request) => request.request.endsWith("/oauth2/v1/apps/authorize"));
  const consentIndex = documents.findIndex((request) => request.request === "POST /sandbox/descope/consent/submit");
  const backToApp = documents[consentIndex + 1];
  const split =
    authorize && backToApp
      ? { beforeAuthorizeMs: authorize.startedAt - startedAt, authorizationServerMs: backToApp.startedAt - authorize.startedAt, afterRedirectMs: endedAt - backToApp.startedAt }
      : undefined;

  return {
    frameRequests: frame.length,
    otherRequests: all.length - frame.length,
    documentRequests: documents.length,
    // A document request that got a redirect loads nothing; every other one loads a page into the frame.
    loadedDocuments: documents.filter((request) => !request.redirect).length,
    documentRequestsByOwner: byOwner,
    byType,
    split,
    timeline: recorded.filter((request) => request.inAppFrame).map((request) => ({
      request: request.request,
      type: request.type,
      startMs: Math.round(request.startedAt - startedAt),
      endMs: request.endedAt === undefined ? undefined : Math.round(request.endedAt - startedAt),
    })),
  };
}

/**
 * In every document, check on each animation frame whether the patient name
 * has text, and keep the first such time in `window.__benchNameVisibleAt`
 * (epoch milliseconds). A frame's callbacks run just before it is painted.
 */
function watchForPatientName() {
  const check = () => {
    const name = document.querySelector('[data-testid="patient-name"]');
    if (name && name.textContent.trim() !== "") window.__benchNameVisibleAt = Date.now();
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}

/**
 * In every document, sign in as the practitioner and allow every scope as
 * soon as the sandbox's sign-in or consent form is parsed. Clicking from
 * inside the page leaves out the round trips of Playwright's actionability
 * checks, which added 100-600 ms per step on this machine and belong to
 * neither app.
 */
function signInAndAllowInPage() {
  const clickWhenParsed = (find) => document.addEventListener("DOMContentLoaded", () => find()?.click());
  if (location.pathname === "/sandbox/descope/login") {
    clickWhenParsed(() => [...document.querySelectorAll('button[name="user"]')].find((button) => button.textContent.includes("(practitioner)")));
  }
  if (location.pathname === "/sandbox/descope/consent") clickWhenParsed(() => document.querySelector('button[value="allow"]'));
}

/** Wait for the patient name in the app's frame; returns its text and when it became visible. */
async function waitForPatientName(page, frameLocator) {
  const name = frameLocator.getByTestId("patient-name").filter({ hasText: /\S/ });
  await name.waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
  const appFrame = page.frames().find((frame) => frame.parentFrame() !== null);
  const visibleAt = await (await appFrame.waitForFunction(() => window.__benchNameVisibleAt, undefined, { timeout: STEP_TIMEOUT_MS })).jsonValue();
  return { text: (await name.textContent())?.trim(), visibleAt };
}

async function newInstrumentedPage(browser) {
  const context = await browser.newContext();
  await context.addInitScript(watchForPatientName);
  await context.addInitScript(signInAndAllowInPage);
  return { context, page: await context.newPage() };
}

/** Run one launch from the sandbox EHR's patient list, timed from the click to the name. */
async function runEhrLaunch(browser, { app, patient }) {
  const { context, page } = await newInstrumentedPage(browser);
  try {
    await page.goto(`${app.ehrUrl}/sandbox/ehr`);
    const button = page.getByRole("button", { name: new RegExp(`Open app for .*${patient.name}`) });
    await button.waitFor();
    const recorder = recordRequests(page);

    recorder.start();
    // The click replaces the EHR page, so its time is taken here; Playwright's
    // actionability checks before the click add a few milliseconds.
    const startedAt = Date.now();
    await button.click();
    const frame = page.frameLocator('iframe[title="SMART app"]');
    const { text, visibleAt } = await waitForPatientName(page, frame);
    const requests = recorder.stop();
    await recorder.settle();

    return { ms: visibleAt - startedAt, name: text, ...analyzeRun(requests, new URL(app.url).origin, startedAt, visibleAt) };
  } finally {
    await context.close();
  }
}

/** Run one launch of `launchUrl` in the host page's frame, timed from setting the frame's src to the name. */
async function runFramedLaunch(browser, { hostUrl, launchUrl, appOrigin }) {
  const { context, page } = await newInstrumentedPage(browser);
  try {
    await page.goto(hostUrl);
    const iframe = page.locator('iframe[title="SMART app"]');
    const recorder = recordRequests(page);

    recorder.start();
    const startedAt = await iframe.evaluate((element, src) => {
      element.src = src;
      return Date.now();
    }, launchUrl);
    const frame = page.frameLocator('iframe[title="SMART app"]');
    const { text, visibleAt } = await waitForPatientName(page, frame);
    const requests = recorder.stop();
    await recorder.settle();

    return { ms: visibleAt - startedAt, name: text, ...analyzeRun(requests, appOrigin, startedAt, visibleAt) };
  } finally {
    await context.close();
  }
}

/** Return the reference app's launch URL for an EHR launch URL of our app: same `iss` and `launch`, the reference's origin and path. */
export function referenceLaunchUrl(appLaunchUrl, referenceOrigin) {
  return `${referenceOrigin}/launch${appLaunchUrl.search}`;
}

function describeRuns(runs) {
  const first = runs[0];
  const splits = runs.map((run) => run.split).filter(Boolean);
  return {
    timing: summarize(runs.map((run) => run.ms)),
    split: {
      beforeAuthorizeMs: summarize(splits.map((split) => split.beforeAuthorizeMs)),
      authorizationServerMs: summarize(splits.map((split) => split.authorizationServerMs)),
      afterRedirectMs: summarize(splits.map((split) => split.afterRedirectMs)),
      appControlledMs: summarize(splits.map((split) => split.beforeAuthorizeMs + split.afterRedirectMs)),
    },
    names: [...new Set(runs.map((run) => run.name))],
    frameRequests: summarize(runs.map((run) => run.frameRequests)),
    documentRequests: summarize(runs.map((run) => run.documentRequests)),
    loadedDocuments: summarize(runs.map((run) => run.loadedDocuments)),
    example: { byType: first.byType, documentRequestsByOwner: first.documentRequestsByOwner, otherRequests: first.otherRequests, timeline: first.timeline },
  };
}

/**
 * Run the three scenarios `runs` times each after one untimed warm-up of
 * each. The first EHR launch after the server started is returned separately
 * as `cold`: it includes the sandbox's one-time key generation.
 */
export async function benchmarkLaunches({ browser, app, reference, patient, runs, log }) {
  const appOrigin = new URL(app.url).origin;
  const scenarios = {
    ehr: () => runEhrLaunch(browser, { app, patient }),
    ours: async () => runFramedLaunch(browser, { hostUrl: reference.hostUrl, launchUrl: (await ehrLaunchUrl(app.ehrUrl, patient.id)).href, appOrigin }),
    reference: async () =>
      runFramedLaunch(browser, {
        hostUrl: reference.hostUrl,
        launchUrl: referenceLaunchUrl(await ehrLaunchUrl(app.ehrUrl, patient.id), reference.url),
        appOrigin: reference.url,
      }),
  };
  const names = Object.keys(scenarios);

  const cold = await scenarios.ehr();
  log(`cold EHR launch: ${cold.ms.toFixed(0)} ms`);
  for (const name of names) await scenarios[name]();

  const results = Object.fromEntries(names.map((name) => [name, []]));
  for (let index = 0; index < runs; index++) {
    // Rotate the order so that no scenario always runs first or last.
    const order = names.map((_, offset) => names[(index + offset) % names.length]);
    for (const name of order) {
      const run = await scenarios[name]();
      if (!run.name?.includes(patient.name)) throw new Error(`${name} run showed "${run.name}", expected a name with "${patient.name}"`);
      results[name].push(run);
    }
    log(`launch run ${index + 1}/${runs}: ${order.map((name) => `${name} ${results[name].at(-1).ms.toFixed(0)} ms`).join(", ")}`);
  }

  return {
    cold: { ms: cold.ms, split: cold.split },
    ...Object.fromEntries(names.map((name) => [name, describeRuns(results[name])])),
  };
}
