import { defineConfig } from "@playwright/test";
import path from "node:path";

const port = Number(process.env.E2E_PORT ?? 3210);
const baseURL = `http://localhost:${port}`;
const fixturesDir = process.env.FIXTURES_DIR ?? path.resolve(__dirname, "../shared/fixtures/fhir-r4");

/**
 * End-to-end tests: the built app (`next start`) with the sandbox on and the
 * shared fixtures loaded, driven by Debian's Chromium. Playwright cannot
 * download its own browsers here, so CHROMIUM_PATH points at the system one.
 */
export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"]],
  outputDir: "test-results/e2e",
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: {
    command: `mkdir -p test-results && node node_modules/next/dist/bin/next start -p ${port} -H localhost 2>&1 | tee test-results/e2e-server.log`,
    url: `${baseURL}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "ignore",
    env: {
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      APP_BASE_URL: baseURL,
      SESSION_SECRET: "e2e-session-secret-SEEDED-0123456789abcdef",
      SANDBOX_ENABLED: "true",
      SANDBOX_DATA_DIR: fixturesDir,
      LOG_LEVEL: "debug",
    },
  },
});
