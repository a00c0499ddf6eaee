import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "./support/app-server";
import { parseLogLines } from "./support/fault-logs";

/**
 * Faults of the built-in sandbox that break the app's launches: its RSA keys
 * take seconds of CPU to generate, and a first launch that had to wait for
 * them ran into the token request timeout.
 */
const RUN_FULL = process.env.UNIT_ONLY !== "1";

describe.runIf(RUN_FULL)("sandbox start-up", () => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startApp();
  });

  afterAll(async () => {
    await app?.stop();
  });

  // Regression: the keys were generated on first use, inside the first token
  // request, which then took longer than FHIR_TIMEOUT_MS on a busy machine.
  it("has its signing keys ready when the server answers", async () => {
    for (const path of ["/sandbox/descope/Psandbox/.well-known/jwks.json", "/sandbox/ehr/.well-known/jwks.json"]) {
      const started = Date.now();
      const response = await fetch(`${app.url}${path}`);
      expect(response.status).toBe(200);
      // Generating one key takes 4 to 10 s on the 2-core test machine; serving a cached one takes milliseconds.
      expect(Date.now() - started, path).toBeLessThan(2000);
    }
  });

  it("logged no error while starting", () => {
    expect(parseLogLines(app.output()).filter((line) => line.level === "error")).toEqual([]);
  });
});
