import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "../..");

/** Folder of the shared FHIR fixtures; FIXTURES_DIR overrides it. */
export const FIXTURES_DIR = process.env.FIXTURES_DIR ?? path.resolve(REPO_ROOT, "../shared/fixtures/fhir-r4");

/** Session secret of test servers: recognisable, so a log scan can look for it. */
export const TEST_SESSION_SECRET = "test-session-secret-SEEDED-0123456789abcdef";

/** Ask the OS for a free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface RunningApp {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Start the built app (`next start`) on a free loopback port with the sandbox
 * on and the shared fixtures loaded, and wait until it answers.
 */
export async function startApp(extraEnv: Record<string, string> = {}): Promise<RunningApp> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(port),
    APP_BASE_URL: url,
    SESSION_SECRET: TEST_SESSION_SECRET,
    SANDBOX_ENABLED: "true",
    SANDBOX_DATA_DIR: FIXTURES_DIR,
    LOG_LEVEL: "debug",
    ...extraEnv,
  };
  const nextBin = path.join(REPO_ROOT, "node_modules/next/dist/bin/next");
  const child: ChildProcess = spawn(process.execPath, [nextBin, "start", "-p", String(port), "-H", "localhost"], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (Date.now() >= deadline) throw new Error(`next start did not answer within 60 s:\n${output}`);

  return {
    url,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
