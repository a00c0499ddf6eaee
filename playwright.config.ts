import { defineConfig } from "@playwright/test";
import path from "node:path";

const fixturesDir = process.env.FIXTURES_DIR ?? path.resolve(__dirname, "../shared/fixtures/fhir-r4");
const basePort = Number(process.env.E2E_PORT ?? 3210);

/** Session secret of the e2e servers; the log scan (e2e/log-scan.ts) looks for it and what derives from it. */
export const E2E_SESSION_SECRET = "e2e-session-secret-SEEDED-0123456789abcdef";

/**
 * The app servers the tests run against: the built app (`next start`) with the
 * sandbox on and the shared fixtures loaded, each in another setting. Every
 * server also lets the sandbox EHR run on http://127.0.0.1, another site than
 * the app on http://localhost, so framed launches are cross-site.
 */
const SERVERS = {
  default: { port: basePort, env: {} },
  // Access tokens live 5 s, EHR launches ask for online_access so they get a
  // refresh token, and the login page refuses framing so the login runs in a popup.
  "short-tokens-popup": {
    port: basePort + 1,
    env: { SANDBOX_ACCESS_TOKEN_TTL: "5", SMART_SCOPES: "launch openid fhirUser patient/*.rs online_access", LOGIN_WHEN_FRAMED: "popup", SANDBOX_LOGIN_FRAMING: "deny" },
  },
  // Session cookies without Partitioned, which a third-party frame must not keep.
  unpartitioned: { port: basePort + 2, env: { UNSAFE_UNPARTITIONED_COOKIES: "true" } },
} as const;

type ServerName = keyof typeof SERVERS;

function webServer(name: ServerName) {
  const { port, env } = SERVERS[name];
  return {
    command: `mkdir -p test-results && node node_modules/next/dist/bin/next start -p ${port} -H localhost 2>&1 | tee test-results/e2e-server-${name}.log`,
    url: `http://localhost:${port}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "ignore" as const,
    env: {
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      APP_BASE_URL: `http://localhost:${port}`,
      SESSION_SECRET: E2E_SESSION_SECRET,
      SANDBOX_ENABLED: "true",
      SANDBOX_DATA_DIR: fixturesDir,
      SANDBOX_FRAME_ANCESTORS: `http://127.0.0.1:${port}`,
      LOG_LEVEL: "debug",
      ...env,
    },
  };
}

function project(name: ServerName, testMatch: RegExp) {
  const { port } = SERVERS[name];
  return { name, testMatch, use: { baseURL: `http://localhost:${port}`, ehrURL: `http://127.0.0.1:${port}` } };
}

/**
 * End-to-end tests in Debian's Chromium (Playwright cannot download its own
 * browsers here; CHROMIUM_PATH points at another binary). Third-party cookies
 * are blocked as Chrome does when they are phased out, so framed launches rely
 * on partitioned cookies like they do for real users.
 */
export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [["list"]],
  outputDir: "test-results/e2e",
  // Fails the run when any server's output contains a credential.
  globalTeardown: "./e2e/log-scan.ts",
  use: {
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--test-third-party-cookie-phaseout",
      ],
    },
  },
  projects: [
    project("default", /(ehr-launch|standalone|iframe|display-hints|accessibility|security)\.spec\.ts/),
    project("short-tokens-popup", /(refresh|popup-login)\.spec\.ts/),
    project("unpartitioned", /unpartitioned\.spec\.ts/),
  ],
  webServer: [webServer("default"), webServer("short-tokens-popup"), webServer("unpartitioned")],
});
