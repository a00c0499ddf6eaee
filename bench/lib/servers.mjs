import { spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
export const NEXT_BIN = path.join(REPO_ROOT, "node_modules/next/dist/bin/next");

/** Session secret of the benchmark server; the bench never signs anything with it itself. */
export const BENCH_SESSION_SECRET = "bench-session-secret-SEEDED-0123456789abcdef";

/** Return a free loopback port chosen by the OS. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port"))));
    });
  });
}

/** Poll `url` until it returns 2xx, or throw after `timeoutMs`. */
export async function waitForHttp(url, child, output, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server for ${url} exited with code ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`server did not respond at ${url} within ${timeoutMs / 1000} s:\n${output()}`);
}

/**
 * Start `node ...args` and wait until `readyUrl` returns 2xx. Returns the
 * child's pid, its output and a stop function that sends SIGTERM to that pid only.
 */
export async function startProcess({ args, cwd = REPO_ROOT, env, readyUrl, name }) {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk) => {
    output += chunk;
    // Keep the last 64 KB only: the server logs every request at debug level.
    if (output.length > 65_536) output = output.slice(-65_536);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  await waitForHttp(readyUrl, child, () => output);
  return {
    name,
    pid: child.pid,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

/**
 * Start the built app (`next start`) on `port` with the sandbox on and the
 * shared fixtures loaded, as test/support/app-server.ts does, from `distDir`.
 * The EHR runs on http://127.0.0.1:{port}, another site than the app on
 * http://localhost:{port}, so the launch is a cross-site framed launch as in the e2e tests.
 */
export async function startApp({ port, distDir, fixturesDir, frameAncestors = [], extraEnv = {} }) {
  const url = `http://localhost:${port}`;
  const env = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    NEXT_DIST_DIR: distDir,
    PORT: String(port),
    APP_BASE_URL: url,
    SESSION_SECRET: BENCH_SESSION_SECRET,
    SANDBOX_ENABLED: "true",
    SANDBOX_DATA_DIR: fixturesDir,
    SANDBOX_FRAME_ANCESTORS: [`http://127.0.0.1:${port}`, ...frameAncestors].join(","),
    // info, not debug: the FHIR server's per-request debug line would be part of what is measured.
    LOG_LEVEL: "info",
    ...extraEnv,
  };
  const server = await startProcess({
    name: "next start",
    args: [NEXT_BIN, "start", "-p", String(port), "-H", "localhost"],
    env,
    readyUrl: `${url}/api/health`,
  });
  return { ...server, url, ehrUrl: `http://127.0.0.1:${port}`, port };
}
