#!/usr/bin/env node
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { benchmarkBundles } from "./bundle-size.mjs";
import { benchmarkFhirProxy } from "./fhir-proxy.mjs";
import { benchmarkLaunches, launchChromium } from "./launch-browser.mjs";
import { nextBuild } from "./lib/build.mjs";
import { loadAverage, machineInfo, residentMemoryMiB, waitForQuietMachine } from "./lib/proc.mjs";
import { listEhrPatients } from "./lib/sandbox-http.mjs";
import { freePort, NEXT_BIN, REPO_ROOT, startApp, startProcess } from "./lib/servers.mjs";
import { writeReport } from "./report.mjs";
import { benchmarkServerCost } from "./server-cost.mjs";

/**
 * `npm run bench`: build the app once, start it with the sandbox and the
 * shared fixtures, run the five benchmarks side by side with their
 * references, and write BENCHMARKS.md and bench/results/{name}.json.
 * Every loop has a fixed count; a run took about five minutes of
 * work on 2 busy cores, plus up to two minutes of waiting for the load to drop.
 */

const USAGE = `Usage: npm run bench -- [options]
  --skip-build       reuse the builds in .next-bench and bench/empty-app/.next-bench
  --runs N           browser launches per scenario (default 20)
  --launches N       launches per server in the server-cost benchmark (default 200)
  --fhir-requests N  requests per FHIR proxy variant (default 200)
  --save-as NAME     also keep the results as bench/results/NAME.json (default: latest)
  --before NAME      compare with bench/results/NAME.json in BENCHMARKS.md (default: before, when it exists)
  --no-report        do not rewrite BENCHMARKS.md
  --report-only NAME rewrite BENCHMARKS.md from bench/results/NAME.json without running anything`;

function positiveInteger(value, name) {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 10_000) throw new Error(`--${name} must be a whole number from 1 to 10000, got "${value}"\n${USAGE}`);
  return number;
}

const { values: options } = parseArgs({
  options: {
    "skip-build": { type: "boolean", default: false },
    runs: { type: "string", default: "20" },
    launches: { type: "string", default: "200" },
    "fhir-requests": { type: "string", default: "200" },
    "save-as": { type: "string", default: "latest" },
    before: { type: "string", default: "before" },
    "no-report": { type: "boolean", default: false },
    "report-only": { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const RUNS = positiveInteger(options.runs, "runs");
const LAUNCHES = positiveInteger(options.launches, "launches");
const FHIR_REQUESTS = positiveInteger(options["fhir-requests"], "fhir-requests");
const DIST_DIR = ".next-bench";
const EMPTY_APP_DIR = path.join(import.meta.dirname, "empty-app");
const FIXTURES_DIR = process.env.FIXTURES_DIR ?? path.resolve(REPO_ROOT, "../shared/fixtures/fhir-r4");
const RESULTS_DIR = path.join(import.meta.dirname, "results");
// The patient whose record the proxy benchmark searches; any sandbox patient works for the launches.
const PATIENT = { name: "Trey Berge", id: "f46d1649-8a02-4de8-8cff-f76fae267d3a" };

const began = performance.now();
function log(message) {
  console.log(`[bench ${((performance.now() - began) / 1000).toFixed(0).padStart(3)} s] ${message}`);
}

function gitDescription() {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: REPO_ROOT, encoding: "utf8" }).trim() !== "";
    return `${commit}${dirty ? " with uncommitted changes" : ""}`;
  } catch {
    return "unknown";
  }
}

function nextVersion() {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, "node_modules/next/package.json"), "utf8")).version;
}

// The benchmark's own idle servers add little load, so a 1-minute load average
// above one core's worth means other programs compete for the 2 cores.
const QUIET_LOAD = 1.5;
const QUIET_WAIT_MS = 30_000;

/** Wait (bounded) for other work on the machine to finish, and note the load average each benchmark started with. */
async function startBenchmark(results, name, message) {
  const load = await waitForQuietMachine({ threshold: QUIET_LOAD, timeoutMs: QUIET_WAIT_MS, log });
  results.loadAverage[name] = load;
  log(`${message} (load average ${load.toFixed(1)})`);
}

function memorySample(pid, label) {
  const memory = residentMemoryMiB(pid);
  log(`next start RSS ${label}: ${memory.rss.toFixed(0)} MiB (peak ${memory.peak.toFixed(0)} MiB)`);
  return { label, ...memory };
}

/** Write BENCHMARKS.md for `results`, with bench/results/{--before}.json as "before" when it exists and is another run. */
function report(results, resultsName) {
  const beforeFile = path.join(RESULTS_DIR, `${options.before}.json`);
  const before = resultsName !== options.before && existsSync(beforeFile) ? JSON.parse(readFileSync(beforeFile, "utf8")) : undefined;
  writeReport(path.join(REPO_ROOT, "BENCHMARKS.md"), results, before);
  log(`wrote BENCHMARKS.md${before ? ` with ${path.relative(REPO_ROOT, beforeFile)} as "before"` : ""}`);
}

async function main() {
  if (options["report-only"]) {
    const name = options["report-only"];
    report(JSON.parse(readFileSync(path.join(RESULTS_DIR, `${name}.json`), "utf8")), name);
    return;
  }
  if (!existsSync(FIXTURES_DIR)) throw new Error(`FHIR fixtures not found at ${FIXTURES_DIR}; set FIXTURES_DIR`);
  const results = {
    startedAt: new Date().toISOString(),
    commit: gitDescription(),
    settings: { runs: RUNS, launches: LAUNCHES, fhirRequests: FHIR_REQUESTS },
    loadAverage: { start: loadAverage() },
  };

  if (options["skip-build"]) {
    log("reusing the existing builds (--skip-build)");
  } else {
    log(`building the app into ${DIST_DIR}`);
    results.buildSeconds = await nextBuild({ distDir: DIST_DIR, log });
    log(`building the empty app into bench/empty-app/${DIST_DIR}`);
    results.emptyBuildSeconds = await nextBuild({ dir: EMPTY_APP_DIR, distDir: DIST_DIR, log });
  }

  const [appPort, referencePort, hostPort, emptyPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const referenceUrl = `http://localhost:${referencePort}`;
  const hostOrigin = `http://localhost:${hostPort}`;
  const servers = [];
  const browser = await launchChromium();
  try {
    log("starting next start with the sandbox, the reference app and the empty app");
    const app = await startApp({
      port: appPort,
      distDir: DIST_DIR,
      fixturesDir: FIXTURES_DIR,
      frameAncestors: [hostOrigin, referenceUrl],
      extraEnv: { SANDBOX_EXTRA_REDIRECT_URIS: `${referenceUrl}/callback` },
    });
    servers.push(app);
    servers.push(
      await startProcess({
        name: "reference app",
        args: [path.join(import.meta.dirname, "reference-app/server.mjs"), String(referencePort), String(hostPort)],
        env: process.env,
        readyUrl: `${referenceUrl}/health`,
      }),
    );
    const emptyApp = await startProcess({
      name: "empty app",
      args: [NEXT_BIN, "start", EMPTY_APP_DIR, "-p", String(emptyPort), "-H", "localhost"],
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      readyUrl: `http://localhost:${emptyPort}/`,
    });
    servers.push(emptyApp);

    const patients = await listEhrPatients(app.ehrUrl);
    if (!patients.some((patient) => patient.id === PATIENT.id)) throw new Error(`patient ${PATIENT.id} (${PATIENT.name}) is not in the sandbox; check FIXTURES_DIR`);

    results.machine = { ...machineInfo(), node: process.version, chromium: browser.version(), next: nextVersion(), patients: patients.length };
    results.memory = [memorySample(app.pid, "after start, fixtures loaded")];

    await startBenchmark(results, "launch", `benchmark 1: launch to patient visible, ${RUNS} runs per scenario`);
    results.launch = await benchmarkLaunches({ browser, app, reference: { url: referenceUrl, hostUrl: `${hostOrigin}/host` }, patient: PATIENT, runs: RUNS, log });
    results.memory.push(memorySample(app.pid, "after the launch benchmark"));

    await startBenchmark(results, "bundles", "benchmark 3: JavaScript per page");
    results.bundles = await benchmarkBundles({ browser, app, emptyAppUrl: `http://localhost:${emptyPort}`, patientId: PATIENT.id });

    await startBenchmark(results, "fhirProxy", `benchmark 4: FHIR proxy overhead, ${FHIR_REQUESTS} requests per variant`);
    results.fhirProxy = await benchmarkFhirProxy({ app, patientId: PATIENT.id, count: FHIR_REQUESTS, warmup: 20, log });

    await startBenchmark(results, "serverCost", `benchmark 2: server cost, ${LAUNCHES} launches per server`);
    results.serverCost = await benchmarkServerCost({ app, patientId: PATIENT.id, count: LAUNCHES, concurrency: 2, log });
    results.memory.push(memorySample(app.pid, "at the end"));
  } finally {
    await browser.close();
    for (const server of servers.reverse()) await server.stop();
  }

  results.loadAverage.end = loadAverage();
  results.totalSeconds = (performance.now() - began) / 1000;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const resultsFile = path.join(RESULTS_DIR, `${options["save-as"]}.json`);
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${path.relative(REPO_ROOT, resultsFile)}`);

  if (!options["no-report"]) report(results, options["save-as"]);
  log(`done in ${results.totalSeconds.toFixed(0)} s`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
