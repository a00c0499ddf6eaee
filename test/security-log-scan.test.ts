import { describe, expect, it } from "vitest";
import { TEST_SESSION_SECRET } from "./support/app-server";
import { findLeaks, sandboxClientSecret } from "./support/fault-logs";

/**
 * The credential scan that the security suites, the Vitest global teardown
 * and the Playwright log scan (e2e/log-scan.ts) run over server output: it
 * must find each kind of credential, and pass redacted log lines.
 */
describe("findLeaks", () => {
  it.each([
    ["a JWT", `{"event":"x","detail":"token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"}`],
    ["a JWE with an empty key part", `code=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y2lwaGVy.dGFn`],
    ["an iron seal", `cookie __Host-smart-launch-abc=Fe26.2*1*0f3c*AAAA*BBBB`],
    ["a bearer header", `{"authorization":"Bearer abc.def.ghi-123"}`],
    ["a PKCE verifier", `{"code_verifier":"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"}`],
    ["a test secret", `SESSION_SECRET=${TEST_SESSION_SECRET}`],
  ])("finds %s", (_name, text) => {
    expect(findLeaks(text, []).length).toBeGreaterThan(0);
  });

  it("finds a listed secret value", () => {
    const clientSecret = sandboxClientSecret(TEST_SESSION_SECRET);
    const leaks = findLeaks(`client_secret=${clientSecret}`, [clientSecret]);
    expect(leaks.map((leak) => leak.what)).toEqual([`secret value ${clientSecret.slice(0, 6)}…`]);
  });

  it("passes redacted log lines", () => {
    const line = JSON.stringify({ level: "warn", event: "callback.failed", code: "[redacted]", authorization: "Bearer [redacted]", code_verifier: "[redacted]", detail: "token [redacted]" });
    expect(findLeaks(line, [])).toEqual([]);
  });
});
