import { rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cpuTimeMs } from "./lib/proc.mjs";
import {
  authorizeAndConsent,
  CookieJar,
  EHR_SCOPES,
  ehrLaunchUrl,
  get,
  publicClientCode,
  publicClientTokenRequest,
  publicClientTokens,
  startAppLaunch,
} from "./lib/sandbox-http.mjs";
import { BENCH_SESSION_SECRET, freePort, startProcess } from "./lib/servers.mjs";
import { runPool, summarize } from "./lib/stats.mjs";

/**
 * Benchmark 2: server CPU time and latency of `/launch` and `/callback`
 * under a steady, bounded load (a fixed number of requests, `concurrency` at
 * a time), next to the bare Node.js server in bare-server.mjs.
 *
 * CPU time comes from /proc/{pid}/stat of the server before and after each
 * phase. Launch tokens, codes and cookies are prepared between the phases and
 * are not measured. Our `/callback` calls the sandbox token endpoint, which
 * runs in the same process, so a third phase measures that endpoint alone
 * with the public client, and its CPU time is subtracted: in production the
 * token endpoint is Descope's.
 */

async function timedPhase(pid, count, concurrency, request) {
  const before = cpuTimeMs(pid);
  // Monotonic microseconds, the clock of V8 CPU profiles, so a profile of the server can be cut to this phase.
  const monotonicStartUs = Number(process.hrtime.bigint() / 1000n);
  const started = performance.now();
  const latencies = await runPool(count, concurrency, async (index) => {
    const sent = performance.now();
    await request(index);
    return performance.now() - sent;
  });
  const wallMs = performance.now() - started;
  const after = cpuTimeMs(pid);
  return {
    latency: summarize(latencies),
    cpuMsPerRequest: (after.total - before.total) / count,
    requestsPerSecond: count / (wallMs / 1000),
    monotonicWindowUs: [monotonicStartUs, Number(process.hrtime.bigint() / 1000n)],
  };
}

function expectRedirect(response, request) {
  if (response.status !== 303) throw new Error(`${request} returned ${response.status}, expected 303`);
}

function cookieSize(response) {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith("__Host-smart-launch-"));
  return line ? line.split(";")[0].length : 0;
}

/** Prepare `count` launch URLs with fresh EHR tokens for `launchBase` (our app's or the bare server's origin). */
async function prepareLaunchUrls(app, patientId, count, concurrency, launchBase) {
  return runPool(count, concurrency, async () => {
    const url = await ehrLaunchUrl(app.ehrUrl, patientId);
    return `${launchBase}/launch${url.search}`;
  });
}

/** Measure /launch then /callback against one server; `launchBase` is its origin. */
async function measureServer({ app, pid, launchBase, patientId, count, concurrency, log, label }) {
  const launchUrls = await prepareLaunchUrls(app, patientId, count, concurrency, launchBase);
  const started = new Array(count);
  const cookieBytes = { pending: 0, completed: 0 };

  const launch = await timedPhase(pid, count, concurrency, async (index) => {
    const jar = new CookieJar();
    const response = await get(launchUrls[index], jar);
    expectRedirect(response, `${label} /launch`);
    cookieBytes.pending = cookieSize(response);
    started[index] = { jar, authorizeUrl: new URL(response.headers.get("location")) };
  });
  log(`${label} /launch: ${launch.cpuMsPerRequest.toFixed(2)} ms CPU, median ${launch.latency.median.toFixed(1)} ms`);

  // The bare server's authorization URL names our client and redirect URI,
  // so both servers' codes come from the same sandbox sign-in.
  const callbacks = await runPool(count, concurrency, async (index) => {
    const redirect = await authorizeAndConsent(started[index].authorizeUrl);
    return `${launchBase}/callback${redirect.search}`;
  });

  const callback = await timedPhase(pid, count, concurrency, async (index) => {
    const response = await get(callbacks[index], started[index].jar);
    expectRedirect(response, `${label} /callback`);
    cookieBytes.completed = cookieSize(response);
  });
  log(`${label} /callback: ${callback.cpuMsPerRequest.toFixed(2)} ms CPU, median ${callback.latency.median.toFixed(1)} ms`);
  return { launch, callback, cookieBytes };
}

/** Measure the sandbox token endpoint alone: the part of our /callback's CPU time that Descope does in production. */
async function measureTokenEndpoint({ app, pid, patientId, count, concurrency }) {
  const codes = await runPool(count, concurrency, () => publicClientCode({ appUrl: app.url, ehrUrl: app.ehrUrl, patientId }));
  return timedPhase(pid, count, concurrency, async (index) => {
    const { callback, verifier } = codes[index];
    const response = await publicClientTokenRequest(app.url, callback.searchParams.get("code"), verifier);
    if (!response.ok) throw new Error(`token endpoint returned ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  });
}

/** Measure a trivial request to `url` on `pid`: the per-request cost of the server's HTTP stack, framework and middleware. */
async function measureFloor({ pid, url, count, concurrency }) {
  return timedPhase(pid, count, concurrency, async () => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url} returned ${response.status}`);
    await response.arrayBuffer();
  });
}

/** Start the bare server with keys and tokens from the running sandbox. */
async function startBareServer(app, patientId) {
  const port = await freePort();
  const { iss, nonce, tokens } = await publicClientTokens({ appUrl: app.url, ehrUrl: app.ehrUrl, patientId });
  const asIssuer = `${app.url}/sandbox/descope/v1/apps/Psandbox`;
  const discovery = await (await fetch(`${asIssuer}/.well-known/openid-configuration`)).json();
  const config = {
    sessionSecret: BENCH_SESSION_SECRET,
    fhirBase: iss,
    ehrIssuer: `${app.url}/sandbox/ehr`,
    ehrJwks: await (await fetch(`${app.url}/sandbox/ehr/.well-known/jwks.json`)).json(),
    asIssuer,
    asJwks: await (await fetch(discovery.jwks_uri)).json(),
    authorizeUrl: discovery.authorization_endpoint,
    // Our client id and redirect URI, so that the sandbox signs codes for the bare server's authorization URLs too.
    clientId: "sandbox-smart-app",
    appBaseUrl: app.url,
    scope: EHR_SCOPES,
    accessToken: tokens.access_token,
    idToken: tokens.id_token,
    idTokenAudience: "sandbox-public-client",
    idTokenNonce: nonce,
  };
  const configFile = path.join(os.tmpdir(), `bench-bare-server-${process.pid}.json`);
  writeFileSync(configFile, JSON.stringify(config), { mode: 0o600 });
  // The file contains the benchmark's fixed session secret and a sandbox token, and is removed when the server stops.
  const server = await startProcess({
    name: "bare server",
    args: [path.join(import.meta.dirname, "bare-server.mjs"), String(port), configFile],
    env: { ...process.env, NODE_ENV: "production" },
    readyUrl: `http://127.0.0.1:${port}/health`,
  });
  return {
    ...server,
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await server.stop();
      rmSync(configFile, { force: true });
    },
  };
}

/**
 * Run benchmark 2: warm both servers with a few launches, then measure ours,
 * the sandbox token endpoint, and the bare server, `count` launches each.
 */
export async function benchmarkServerCost({ app, patientId, count, concurrency, log }) {
  const bare = await startBareServer(app, patientId);
  try {
    const warmup = Math.min(10, count);
    await measureServer({ app, pid: app.pid, launchBase: app.url, patientId, count: warmup, concurrency, log: () => {}, label: "warm-up ours" });
    await measureServer({ app, pid: bare.pid, launchBase: bare.url, patientId, count: warmup, concurrency, log: () => {}, label: "warm-up bare" });
    await measureTokenEndpoint({ app, pid: app.pid, patientId, count: warmup, concurrency });

    const ours = await measureServer({ app, pid: app.pid, launchBase: app.url, patientId, count, concurrency, log, label: "ours" });
    const tokenEndpoint = await measureTokenEndpoint({ app, pid: app.pid, patientId, count, concurrency });
    log(`sandbox token endpoint: ${tokenEndpoint.cpuMsPerRequest.toFixed(2)} ms CPU, median ${tokenEndpoint.latency.median.toFixed(1)} ms`);
    const limit = await measureServer({ app, pid: bare.pid, launchBase: bare.url, patientId, count, concurrency, log, label: "bare" });
    // The same number of trivial requests: GET /api/health goes through middleware and a route handler that only builds a JSON response.
    const floor = {
      ours: await measureFloor({ pid: app.pid, url: `${app.url}/api/health`, count, concurrency }),
      limit: await measureFloor({ pid: bare.pid, url: `${bare.url}/health`, count, concurrency }),
    };
    log(`trivial request: ours ${floor.ours.cpuMsPerRequest.toFixed(2)} ms CPU, bare ${floor.limit.cpuMsPerRequest.toFixed(2)} ms CPU`);

    const oursCpu = ours.launch.cpuMsPerRequest + ours.callback.cpuMsPerRequest - tokenEndpoint.cpuMsPerRequest;
    const limitCpu = limit.launch.cpuMsPerRequest + limit.callback.cpuMsPerRequest;
    return { count, concurrency, ours, tokenEndpoint, limit, floor, oursCpuMsPerLaunch: oursCpu, limitCpuMsPerLaunch: limitCpu, cpuRatio: oursCpu / limitCpu };
  } finally {
    await bare.stop();
  }
}
