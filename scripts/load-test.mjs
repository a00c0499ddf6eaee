#!/usr/bin/env node
/**
 * Load test of the EHR launch against the built app and its sandbox, on
 * loopback only: many simulated browsers, each an HTTP client with its own
 * cookie jar, run EHR launch → sandbox sign-in → consent → callback → proxy
 * read of `Patient/{id}`, interleaved, and check that every browser reads the
 * patient it launched.
 *
 * Usage: npm run build && npm run test:load [-- --launches 1000 --browsers 100]
 *
 * Options (each also read from the environment variable in brackets):
 *   --launches N    launches in total, default 1000 [LOAD_LAUNCHES]
 *   --browsers N    concurrent simulated browsers, default 100 [LOAD_BROWSERS]
 *   --url URL       test a running app on a loopback origin instead of starting one [LOAD_URL]
 *   --max-minutes N stop after this many minutes, default 15 [LOAD_MAX_MINUTES]
 *
 * Without --url the script starts `next start` on a free loopback port with
 * the sandbox on and the shared FHIR fixtures, and writes its output to
 * test-results/load-server.log. It exits with 1 when any launch failed, any
 * browser saw another launch's patient, or any response had a 5xx status.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const LAUNCH_COOKIE_PREFIX = "__Host-smart-launch-";
const REQUEST_TIMEOUT_MS = 30_000;

const { values: args } = parseArgs({
  options: {
    launches: { type: "string", default: process.env.LOAD_LAUNCHES ?? "1000" },
    browsers: { type: "string", default: process.env.LOAD_BROWSERS ?? "100" },
    url: { type: "string", default: process.env.LOAD_URL },
    "max-minutes": { type: "string", default: process.env.LOAD_MAX_MINUTES ?? "15" },
  },
});

function positiveInteger(name, value, max) {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) {
    console.error(`"--${name}" must be a whole number from 1 to ${max}, got "${value}"`);
    process.exit(2);
  }
  return number;
}

const TOTAL_LAUNCHES = positiveInteger("launches", args.launches, 100_000);
const BROWSERS = positiveInteger("browsers", args.browsers, 1000);
const DEADLINE = Date.now() + positiveInteger("max-minutes", args["max-minutes"], 120) * 60_000;

// ---------------------------------------------------------------------------
// The app under test.

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Start the built app with the sandbox on, and return its URL, its log file and a stop function. */
async function startApp() {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
  const logFile = path.join(ROOT, "test-results/load-server.log");
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "localhost"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      APP_BASE_URL: url,
      SESSION_SECRET: `load-test-${randomBytes(24).toString("hex")}`,
      SANDBOX_ENABLED: "true",
      SANDBOX_DATA_DIR: process.env.FIXTURES_DIR ?? path.resolve(ROOT, "../shared/fixtures/fhir-r4"),
      LOG_LEVEL: "warn",
    },
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);

  const started = Date.now();
  while (Date.now() - started < 60_000) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}; see ${logFile}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return { url, logFile, stop: () => stopChild(child) };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill("SIGTERM");
  throw new Error(`next start did not answer within 60 s; see ${logFile}`);
}

function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

// ---------------------------------------------------------------------------
// A simulated browser: a cookie jar and requests that follow redirects by hand.

const stats = {
  requests: 0,
  serverErrors: [],
  latencies: { "/launch": [], "/callback": [], proxy: [] },
};

class SimulatedBrowser {
  constructor(id) {
    this.id = id;
    this.cookies = new Map();
    /** Launch id → patient id of every launch this browser completed and may still hold. */
    this.launches = new Map();
  }

  cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  storeCookies(response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(";").map((part) => part.trim());
      const separator = pair.indexOf("=");
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      const deleted = value === "" || attributes.some((attribute) => /^max-age=0$/i.test(attribute));
      if (deleted) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** Send one request without following redirects, and record 5xx responses and the latencies of the timed paths. */
  async send(method, url, form) {
    if (!LOOPBACK_HOSTS.has(url.hostname)) throw new Error(`Request to a host other than loopback rejected: ${url.href}`);
    const started = performance.now();
    const response = await fetch(url, {
      method,
      redirect: "manual",
      headers: { cookie: this.cookieHeader(), ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
      body: form,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body = await response.text();
    const elapsed = performance.now() - started;
    stats.requests++;
    this.storeCookies(response);
    if (url.pathname === "/launch" || url.pathname === "/callback") stats.latencies[url.pathname].push(elapsed);
    if (url.pathname.startsWith("/api/launches/")) stats.latencies.proxy.push(elapsed);
    if (response.status >= 500) stats.serverErrors.push(`${method} ${url.pathname} -> ${response.status}`);
    const location = response.headers.get("location");
    return { status: response.status, body, location: location ? new URL(location, url) : undefined };
  }

  /** GET or POST and follow redirects until a page, or until the next URL matches `stopAt`. */
  async navigate(method, url, form, stopAt) {
    let current = url;
    for (let hop = 0; hop < 10; hop++) {
      const result = await this.send(method, current, form);
      if (!result.location || result.status < 300 || result.status >= 400) return { ...result, url: current };
      if (stopAt?.(result.location)) return { ...result, url: current, stoppedAt: result.location };
      current = result.location;
      method = "GET";
      form = undefined;
    }
    throw new Error(`too many redirects from ${url.href}`);
  }
}

function decodeHtml(text) {
  return text.replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Return the attributes of every `<input>` (and `<button>`, with `buttons`) in `html`. */
function controls(html, buttons = false) {
  const pattern = buttons ? /<(?:input|button)\b([^>]*)>/g : /<input\b([^>]*)>/g;
  return [...html.matchAll(pattern)].map((tag) => Object.fromEntries([...tag[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((pair) => [pair[1], decodeHtml(pair[2])])));
}

// ---------------------------------------------------------------------------
// One launch, checked end to end.

class LaunchError extends Error {}

async function runLaunch(browser, appUrl, patientId) {
  const ehr = new URL(`${appUrl}/sandbox/ehr/launch`);
  ehr.searchParams.set("patient", patientId);
  ehr.searchParams.set("display", "window");

  const login = await browser.navigate("GET", ehr);
  if (login.status !== 200 || login.url.pathname !== "/sandbox/descope/login") throw new LaunchError(`launch ended on ${login.url.pathname} with ${login.status}`);
  const loginControls = controls(login.body, true);
  const request = loginControls.find((control) => control.name === "request")?.value;
  // The first user button is the one the launch suggests: the EHR's user.
  const user = loginControls.find((control) => control.name === "user")?.value;
  if (!request || !user) throw new LaunchError("the login page has no sign-in form");

  const consent = await browser.navigate("POST", new URL(`${appUrl}/sandbox/descope/login/submit`), new URLSearchParams({ request, user }));
  if (consent.status !== 200 || consent.url.pathname !== "/sandbox/descope/consent") throw new LaunchError(`sign-in ended on ${consent.url.pathname} with ${consent.status}`);
  const consentControls = controls(consent.body);
  const form = new URLSearchParams({ request: consentControls.find((control) => control.name === "request")?.value ?? "", decision: "allow" });
  for (const control of consentControls) if (control.name === "scope") form.append("scope", control.value);

  const callback = await browser.navigate("POST", new URL(`${appUrl}/sandbox/descope/consent/submit`), form, (next) => next.pathname.startsWith("/launches/"));
  if (!callback.stoppedAt || callback.url.pathname !== "/callback") throw new LaunchError(`consent ended on ${callback.url.pathname} with ${callback.status}: ${callback.body.slice(0, 200)}`);
  const launchId = /^\/launches\/([A-Za-z0-9_-]+)$/.exec(callback.stoppedAt.pathname)?.[1];
  const stateLaunchId = callback.url.searchParams.get("state")?.split(".")[0];
  if (!launchId || launchId !== stateLaunchId) throw new LaunchError(`callback opened launch ${launchId} for state of launch ${stateLaunchId}`);

  browser.launches.set(launchId, patientId);
  await checkPatient(browser, appUrl, launchId, patientId);
  return launchId;
}

/** Read the launch's patient through the proxy and count a mix-up when it is another patient. */
async function checkPatient(browser, appUrl, launchId, patientId) {
  const read = await browser.send("GET", new URL(`${appUrl}/api/launches/${launchId}/fhir/Patient/${encodeURIComponent(patientId)}`));
  if (read.status === 401 && !browser.cookies.has(`${LAUNCH_COOKIE_PREFIX}${launchId}`)) {
    // Evicted by a newer launch of this browser (MAX_LAUNCHES): expected, not a mix-up.
    browser.launches.delete(launchId);
    return "evicted";
  }
  if (read.status !== 200) throw new LaunchError(`proxy read of launch ${launchId} answered ${read.status}: ${read.body.slice(0, 200)}`);
  const patient = JSON.parse(read.body);
  if (patient.resourceType !== "Patient" || patient.id !== patientId) {
    results.mixUps.push(`browser ${browser.id} launch ${launchId}: expected Patient/${patientId}, got ${patient.resourceType}/${patient.id}`);
  }
  return "checked";
}

// ---------------------------------------------------------------------------

const results = { completed: 0, failed: [], mixUps: [], rechecks: 0 };

function percentile(values, fraction) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

function describeLatency(values) {
  const format = (value) => `${value.toFixed(0)} ms`;
  return `n=${values.length} p50=${format(percentile(values, 0.5))} p95=${format(percentile(values, 0.95))} max=${format(Math.max(...values))}`;
}

async function main() {
  const app = args.url ? { url: new URL(args.url).origin, logFile: undefined, stop: async () => {} } : await startApp();
  if (!LOOPBACK_HOSTS.has(new URL(app.url).hostname)) throw new Error(`--url must be a loopback origin, got ${app.url}`);

  try {
    const ehrPage = await fetch(`${app.url}/sandbox/ehr`).then((response) => response.text());
    const patients = controls(ehrPage, true).filter((control) => control.name === "patient").map((control) => control.value);
    if (patients.length === 0) throw new Error("the sandbox EHR lists no patients");

    // One launch before timing: the sandbox derives its RSA keys on first use.
    await runLaunch(new SimulatedBrowser(-1), app.url, patients[0]);
    stats.latencies["/launch"] = [];
    stats.latencies["/callback"] = [];
    stats.latencies.proxy = [];
    stats.serverErrors = [];
    stats.requests = 0;

    console.log(`Load test: ${TOTAL_LAUNCHES} launches across ${BROWSERS} browsers against ${app.url} (${patients.length} patients)`);
    let started = 0;
    const startedAt = performance.now();

    async function browserLoop(index) {
      const browser = new SimulatedBrowser(index);
      while (started < TOTAL_LAUNCHES && Date.now() < DEADLINE) {
        const number = started++;
        const patientId = patients[(index * 7 + number) % patients.length];
        try {
          await runLaunch(browser, app.url, patientId);
          results.completed++;
          // Re-read an older launch this browser still holds: it must still show its own patient.
          const kept = [...browser.launches].filter(([launchId]) => browser.cookies.has(`${LAUNCH_COOKIE_PREFIX}${launchId}`));
          if (kept.length > 1) {
            const [launchId, olderPatient] = kept[number % (kept.length - 1)];
            if ((await checkPatient(browser, app.url, launchId, olderPatient)) === "checked") results.rechecks++;
          }
        } catch (error) {
          results.failed.push(`browser ${index} launch ${number}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }

    await Promise.all(Array.from({ length: BROWSERS }, (_, index) => browserLoop(index)));
    const seconds = (performance.now() - startedAt) / 1000;

    console.log(`Completed ${results.completed} of ${TOTAL_LAUNCHES} launches in ${seconds.toFixed(1)} s: ${(results.completed / seconds).toFixed(1)} launches/s, ${(stats.requests / seconds).toFixed(0)} requests/s (${stats.requests} requests)`);
    console.log(`/launch   ${describeLatency(stats.latencies["/launch"])}`);
    console.log(`/callback ${describeLatency(stats.latencies["/callback"])}`);
    console.log(`proxy read ${describeLatency(stats.latencies.proxy)}`);
    console.log(`Re-reads of older launches: ${results.rechecks}`);
    console.log(`Mix-ups: ${results.mixUps.length}; 5xx responses: ${stats.serverErrors.length}; failed launches: ${results.failed.length}`);
    if (Date.now() >= DEADLINE) console.log("Stopped at the time limit.");
    for (const line of [...results.mixUps, ...stats.serverErrors, ...results.failed].slice(0, 20)) console.log(`  ${line}`);
    if (app.logFile) console.log(`Server output: ${path.relative(process.cwd(), app.logFile)}`);

    const ok = results.mixUps.length === 0 && stats.serverErrors.length === 0 && results.failed.length === 0 && results.completed === TOTAL_LAUNCHES;
    process.exitCode = ok ? 0 : 1;
  } finally {
    await app.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
