import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(__dirname) } },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 20_000,
    // Unit tests read the configuration too; integration tests set APP_BASE_URL
    // to the started server before they import it.
    env: { SESSION_SECRET: "test-session-secret-SEEDED-0123456789abcdef", SANDBOX_ENABLED: "true", LOG_LEVEL: "error" },
    hookTimeout: 60_000,
  },
});
