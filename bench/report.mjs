import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fixed } from "./lib/stats.mjs";

/**
 * Write BENCHMARKS.md from one run's results. The hand-written analysis in
 * bench/analysis.md is copied in at the end, so a new run keeps it.
 */

const TARGETS = {
  launch: 0.6,
  navigations: 4,
  serverCost: 3,
  bundleKiB: 40,
  fhirProxy: 1.2,
};

const BENCHMARK_NAMES = { launch: "benchmark 1", serverCost: "benchmark 2", bundles: "benchmark 3", fhirProxy: "benchmark 4" };

const ms = (value) => `${fixed(value, 0)} ms`;
const ms1 = (value) => `${fixed(value, 1)} ms`;
const kib = (bytes) => `${fixed(bytes / 1024, 1)} KiB`;
const ratio = (value) => `${fixed(value, 2)}×`;
const verdict = (met) => (met ? "met" : "**missed**");

function table(header, rows) {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
}

function targets(results) {
  const { launch, serverCost, bundles, fhirProxy } = results;
  const launchRatio = launch.ours.timing.median / launch.reference.timing.median;
  const navigations = launch.ours.loadedDocuments.median;
  const worstBundle = Math.max(bundles.aboveEmpty.patient, bundles.aboveEmpty.accessGranted);
  const worstProxy = Math.max(fhirProxy.results.patientRead.ratioMedian, fhirProxy.results.observationSearch.ratioMedian);
  return [
    ["1. Launch to patient visible (median, ours ÷ fhirclient)", ratio(launchRatio), `≤ ${TARGETS.launch}×`, verdict(launchRatio <= TARGETS.launch)],
    ["1. Page loads in the app's frame (ours)", String(navigations), `≤ ${TARGETS.navigations}`, verdict(navigations <= TARGETS.navigations)],
    ["2. Server CPU per launch (ours ÷ bare Node.js)", ratio(serverCost.cpuRatio), `≤ ${TARGETS.serverCost}×`, verdict(serverCost.cpuRatio <= TARGETS.serverCost)],
    ["3. Gzipped JS above the empty page (largest of our pages)", kib(worstBundle), `≤ ${TARGETS.bundleKiB} KiB`, verdict(worstBundle <= TARGETS.bundleKiB * 1024)],
    ["4. FHIR proxy latency (median, worst of two requests, proxy ÷ direct)", ratio(worstProxy), `≤ ${TARGETS.fhirProxy}×`, verdict(worstProxy <= TARGETS.fhirProxy)],
  ];
}

function machineSection(results) {
  const { machine } = results;
  return table(
    ["", ""],
    [
      ["CPU", `${machine.cpuModel}, ${machine.cores} cores`],
      ["Memory", `${fixed(machine.memoryGiB, 1)} GiB`],
      ["Kernel", machine.kernel],
      ["Node.js", machine.node],
      ["Chromium", `${machine.chromium} (Debian's /usr/bin/chromium, headless, flags of playwright.config.ts)`],
      ["Next.js", machine.next],
      ["Commit", results.commit],
      ["Run", `${results.startedAt}, ${fixed(results.totalSeconds, 0)} s in all`],
      [
        "1-minute load average",
        `${fixed(results.loadAverage.start, 1)} at the start; ${Object.entries(results.loadAverage)
          .filter(([name]) => name !== "start" && name !== "end")
          .map(([name, load]) => `${fixed(load, 1)} when ${BENCHMARK_NAMES[name] ?? name} began`)
          .join(", ")}; ${fixed(results.loadAverage.end, 1)} at the end`,
      ],
    ],
  );
}

function launchSection(launch) {
  const rows = [
    ["Ours, from the sandbox EHR (click → name)", launch.ehr],
    ["Ours, framed by the host page (src → name)", launch.ours],
    ["fhirclient reference, framed by the host page (src → name)", launch.reference],
  ].map(([label, scenario]) => [
    label,
    ms(scenario.timing.median),
    ms(scenario.timing.p95),
    `${ms(scenario.timing.min)} – ${ms(scenario.timing.max)}`,
    ms(scenario.split.appControlledMs.median),
    ms(scenario.split.authorizationServerMs.median),
    String(scenario.loadedDocuments.median),
    String(scenario.documentRequests.median),
    String(scenario.frameRequests.median),
  ]);
  const ratios = table(
    ["ours ÷ reference", "median", "p95"],
    [
      ["whole launch", ratio(launch.ours.timing.median / launch.reference.timing.median), ratio(launch.ours.timing.p95 / launch.reference.timing.p95)],
      [
        "app's own part (before the authorization request + after the redirect back)",
        ratio(launch.ours.split.appControlledMs.median / launch.reference.split.appControlledMs.median),
        ratio(launch.ours.split.appControlledMs.p95 / launch.reference.split.appControlledMs.p95),
      ],
    ],
  );
  const timeline = (scenario) =>
    table(
      ["start", "end", "type", "request"],
      scenario.example.timeline.map((entry) => [ms(entry.startMs), entry.endMs === undefined ? "after the name" : ms(entry.endMs), entry.type, `\`${entry.request.slice(0, 90)}\``]),
    );
  return [
    table(["scenario", "median", "p95", "min – max", "app's own part (median)", "sign-in + consent (median)", "page loads in frame", "document requests in frame", "requests in frame"], rows),
    "",
    ratios,
    "",
    `The first launch after the server started took ${ms(launch.cold.ms)} (not in the statistics above).`,
    "",
    "Requests of the app's frame in the first timed run of each framed scenario, in milliseconds from the start (the run ends when the name is visible; later requests are listed too):",
    "",
    "<details><summary>ours</summary>",
    "",
    timeline(launch.ours),
    "",
    "</details>",
    "",
    "<details><summary>fhirclient reference</summary>",
    "",
    timeline(launch.reference),
    "",
    "</details>",
  ].join("\n");
}

function serverCostSection(cost) {
  const row = (label, phase) => [label, ms1(phase.cpuMsPerRequest), ms1(phase.latency.median), ms1(phase.latency.p95), fixed(phase.requestsPerSecond, 0)];
  return [
    table(
      ["phase", "server CPU per request", "latency median", "latency p95", "requests/s"],
      [
        row("ours `/launch`", cost.ours.launch),
        row("ours `/callback` (includes the sandbox token endpoint)", cost.ours.callback),
        row("sandbox token endpoint alone (subtracted)", cost.tokenEndpoint),
        row("bare Node.js `/launch`", cost.limit.launch),
        row("bare Node.js `/callback`", cost.limit.callback),
      ],
    ),
    "",
    table(
      ["", "ours", "bare Node.js", "ratio"],
      [
        ["CPU per launch (`/launch` + `/callback`, without the token endpoint)", ms1(cost.oursCpuMsPerLaunch), ms1(cost.limitCpuMsPerLaunch), ratio(cost.cpuRatio)],
        ["latency median, `/launch` + `/callback`", ms1(cost.ours.launch.latency.median + cost.ours.callback.latency.median), ms1(cost.limit.launch.latency.median + cost.limit.callback.latency.median), ratio((cost.ours.launch.latency.median + cost.ours.callback.latency.median) / (cost.limit.launch.latency.median + cost.limit.callback.latency.median))],
        ["launch cookie, pending / completed", `${cost.ours.cookieBytes.pending} / ${cost.ours.cookieBytes.completed} B`, `${cost.limit.cookieBytes.pending} / ${cost.limit.cookieBytes.completed} B`, ""],
      ],
    ),
    ...(cost.floor
      ? [
          "",
          "The same number of trivial requests shows each server's fixed cost per request (our `GET /api/health` runs the middleware and a route handler that returns a small JSON body; the bare server's `/health` writes \"ok\"):",
          "",
          table(
            ["", "ours", "bare Node.js"],
            [
              ["CPU per trivial request", ms1(cost.floor.ours.cpuMsPerRequest), ms1(cost.floor.limit.cpuMsPerRequest)],
              ["fixed cost of the 2 requests of a launch", ms1(2 * cost.floor.ours.cpuMsPerRequest), ms1(2 * cost.floor.limit.cpuMsPerRequest)],
              ["CPU per launch beyond that fixed cost", ms1(cost.oursCpuMsPerLaunch - 2 * cost.floor.ours.cpuMsPerRequest), ms1(cost.limitCpuMsPerLaunch - 2 * cost.floor.limit.cpuMsPerRequest)],
            ],
          ),
        ]
      : []),
  ].join("\n");
}

function bundleSection(bundles) {
  const labels = {
    empty: "empty Next.js page (bench/empty-app)",
    signIn: "sandbox sign-in page",
    consent: "sandbox consent page",
    patient: "our patient page `/launches/{id}`",
    accessGranted: "our “Access granted” page `/launches/{id}/consent`",
  };
  return table(
    ["page", "scripts", "gzipped JS", "above the empty page"],
    Object.entries(bundles.pages).map(([name, page]) => [labels[name] ?? name, String(page.scripts), kib(page.gzipBytes), name === "empty" ? "" : kib(bundles.aboveEmpty[name])]),
  );
}

function fhirSection(fhir) {
  const labels = { patientRead: `\`${fhir.queries.patientRead.replace(/\/[^/]+$/, "/{id}")}\``, observationSearch: `\`${fhir.queries.observationSearch.replace(/patient=[^&]+/, "patient={id}")}\`` };
  const rows = [];
  for (const [name, result] of Object.entries(fhir.results)) {
    rows.push([labels[name], ms1(result.proxy.median), ms1(result.direct.median), ratio(result.ratioMedian), ms1(result.proxy.p95), ms1(result.direct.p95), ratio(result.ratioP95), `${result.bytes.proxy} / ${result.bytes.direct} B`]);
  }
  return table(["request", "proxy median", "direct median", "ratio", "proxy p95", "direct p95", "ratio p95", "body proxy / direct"], rows);
}

function memorySection(memory) {
  return table(
    ["when", "RSS", "peak RSS so far"],
    memory.map((sample) => [sample.label, `${fixed(sample.rss, 0)} MiB`, `${fixed(sample.peak, 0)} MiB`]),
  );
}

function beforeAfterSection(before, after) {
  const row = (label, get, format) => {
    let old;
    try {
      old = get(before);
    } catch {
      old = undefined;
    }
    return [label, old === undefined ? "n/a" : format(old), format(get(after))];
  };
  return table(
    ["measure", `before (${before.commit}, ${before.startedAt.slice(0, 10)})`, "after (this run)"],
    [
      row("launch median, ours framed", (r) => r.launch.ours.timing.median, ms),
      row("launch median, fhirclient reference", (r) => r.launch.reference.timing.median, ms),
      row("launch ratio (median)", (r) => r.launch.ours.timing.median / r.launch.reference.timing.median, ratio),
      row("app's own part, ours (median)", (r) => r.launch.ours.split.appControlledMs.median, ms),
      row("launch median, ours from the EHR", (r) => r.launch.ehr.timing.median, ms),
      row("first launch after start", (r) => r.launch.cold.ms, ms),
      row("server CPU per launch, ours", (r) => r.serverCost.oursCpuMsPerLaunch, ms1),
      row("server CPU ratio", (r) => r.serverCost.cpuRatio, ratio),
      row("patient page JS above empty", (r) => r.bundles.aboveEmpty.patient, kib),
      row("proxy ratio, Patient read", (r) => r.fhirProxy.results.patientRead.ratioMedian, ratio),
      row("proxy ratio, Observation search", (r) => r.fhirProxy.results.observationSearch.ratioMedian, ratio),
      row("RSS after the launch benchmark", (r) => r.memory[1].rss, (value) => `${fixed(value, 0)} MiB`),
    ],
  );
}

const METHOD = `
Run it with \`npm run bench\` (about five minutes on 2 cores with the build, plus up to two minutes of waiting for the load to drop; \`npm run bench -- --help\` lists the options).
It is not part of \`npm test\`. The script builds the app once with \`next build\` into \`.next-bench\`,
builds the empty app in \`bench/empty-app\` with the same Next.js, and starts \`next start\` with the
sandbox on and the FHIR fixtures of \`../shared/fixtures/fhir-r4\` loaded, as the tests do. Every
server listens on loopback only. Each benchmark has a fixed number of runs or requests.
Quantiles interpolate linearly between order statistics, so with 20 runs the p95 lies between the
two slowest runs. Before each benchmark the script waits up to 30 s for the 1-minute load average
to drop below 1.5; the machine table lists the load each benchmark began with, because other
programs on the same 2 cores make every number slower and noisier.
`.trim();

const LAUNCH_METHOD = `
Headless Chromium (Playwright's \`chromium.launch\` with Debian's binary), a fresh browser context per
run. A script that the browser context adds to every document signs in (the practitioner's button)
and consents ("Allow") as soon as each sandbox form is parsed, with no round trip to Playwright. The
end is the first animation frame in which \`[data-testid=patient-name]\` has text. Three scenarios take turns:

- **from the EHR**: the click on "Open app for Trey Berge" in the sandbox EHR (on 127.0.0.1, another
  site than the app) to the name in the EHR's frame, as the e2e tests launch. The start is taken in
  the benchmark process just before Playwright's click.
- **ours** and **reference**: setting the \`src\` of an iframe in a host page to the app's launch URL,
  with \`iss\` and a fresh launch token from the EHR's \`/sandbox/ehr/open\`. The reference is
  \`bench/reference-app\`: fhirclient ${"2.6.3"}'s prebuilt \`fhir-client.min.js\`, \`FHIR.oauth2.authorize()\` on
  its launch page, \`FHIR.oauth2.ready()\` and \`client.patient.read()\` on its redirect page, served
  gzipped by a static Node.js server and registered as the sandbox's public client through
  \`SANDBOX_EXTRA_REDIRECT_URIS\`. The host page, not the EHR, frames both apps because the EHR's CSP
  frames only our app. Host page and apps are all on \`localhost\` (other ports, so other origins but
  one site): in a cross-site frame Chromium with third-party cookies blocked denies fhirclient its
  \`sessionStorage\`, and the reference fails.

"App's own part" is the time before the browser requests the authorization endpoint plus the time
from the request that follows the consent redirect to the name; the rest is the sandbox's sign-in
and consent pages and the automation on them, which both apps share. Request counts cover the
app's frame from the start until the name was visible. "Page loads in frame" counts the document
requests among them that did not get a redirect.
`.trim();

const SERVER_METHOD = `
A Node.js client on loopback sends a fixed number of launches, two at a time. Phase 1 sends \`/launch\`
with fresh EHR launch tokens; sign-in and consent then run over HTTP (not measured); phase 2 sends
\`/callback\` with the codes and the launch cookies. Server CPU time is user + system time of the
\`next start\` process from \`/proc/{pid}/stat\` before and after each phase (10 ms ticks), divided by
the number of requests. Our \`/callback\` calls the sandbox token endpoint, which runs in the same
process, so a third phase measures that endpoint alone (the sandbox's public client, same scopes and
patient) and its CPU time is subtracted: in production it is Descope's. The limit is
\`bench/bare-server.mjs\`, a bare \`node:http\` server that does the same cryptography (jose RS256
verification of the launch token, of the access token and of the id token, PKCE S256, iron-session
seal and unseal of a launch record of the same shape) and no token request.
`.trim();

const BUNDLE_METHOD = `
Each page is opened cold at the top level in a fresh context until the network is idle. Each
JavaScript response in Chromium's network log is fetched again with \`Accept-Encoding: gzip\`, and the
compressed bytes the server sends are summed. Our \`/launch\` and \`/callback\` answer with redirects and
load no JavaScript; the sign-in and consent pages are the sandbox's (with Descope, these pages are
Descope's). The baseline is \`bench/empty-app\`, an App Router app with one empty page, built with the
same Next.js.
`.trim();

const FHIR_METHOD = `
One request at a time, the four variants taking turns, after 20 untimed rounds. The proxy requests
carry the launch cookie of a launch completed over HTTP; the direct requests carry a bearer token
that the sandbox's public client obtained for the same patient and scopes, so the FHIR server does
the same access checks. Latency is measured in the benchmark process, from sending to the last body byte.
`.trim();

/** Write the report for `results` to `file`, with a before/after table when `before` is given. */
export function writeReport(file, results, before) {
  const analysisFile = path.join(import.meta.dirname, "analysis.md");
  const analysis = existsSync(analysisFile) ? readFileSync(analysisFile, "utf8").trim() : "";
  const sections = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (bench/run.mjs) from one run; the analysis at the end is bench/analysis.md.",
    "",
    "## Summary",
    "",
    table(["target", "result", "target value", ""], targets(results)),
    "",
    "## Machine",
    "",
    machineSection(results),
    "",
    "## Method",
    "",
    METHOD,
    "",
    "## 1. Launch to patient visible",
    "",
    LAUNCH_METHOD,
    "",
    `${results.settings.runs} timed runs per scenario after one warm-up each.`,
    "",
    launchSection(results.launch),
    "",
    "## 2. Server cost per launch",
    "",
    SERVER_METHOD,
    "",
    `${results.serverCost.count} launches per server, ${results.serverCost.concurrency} at a time, after 10 warm-up launches each.`,
    "",
    serverCostSection(results.serverCost),
    "",
    "## 3. JavaScript per page",
    "",
    BUNDLE_METHOD,
    "",
    bundleSection(results.bundles),
    "",
    "## 4. FHIR proxy overhead",
    "",
    FHIR_METHOD,
    "",
    `${results.fhirProxy.count} requests per variant.`,
    "",
    fhirSection(results.fhirProxy),
    "",
    "## 5. Memory",
    "",
    "Resident set size of the `next start` process (`VmRSS` and `VmHWM` in `/proc/{pid}/status`), with the sandbox and all fixtures loaded.",
    "",
    memorySection(results.memory),
  ];
  if (before) sections.push("", "## Before and after the changes", "", beforeAfterSection(before, results));
  if (analysis) sections.push("", analysis);
  writeFileSync(file, `${sections.join("\n")}\n`);
}
