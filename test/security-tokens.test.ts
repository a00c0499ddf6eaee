import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Browser } from "./support/fault-browser";
import { expectErrorPage, expectLoggedOnce, expectNoLaunchCookies, expectProxyError } from "./support/fault-checks";
import type { TokenFault } from "./support/fault-auth-server";
import { findLeaks } from "./support/fault-logs";
import { FAULT_CLIENT_ID, FAULT_PATIENT_ID, startFaultStack, type FaultStack } from "./support/fault-stack";

/**
 * Tampered tokens from the authorization server, over HTTP against the built
 * app: the token endpoint of the fault-injecting server hands the app access
 * and id tokens that are unsigned, HMAC-signed with the public key, signed by
 * an unknown key, or carry the wrong issuer, audience, times or nonce. Each
 * launch must end on an error page with no session left. The unit tests in
 * verify-tokens.test.ts check the same rules on the functions; these check
 * that the callback applies them.
 */
const RUN_FULL = process.env.UNIT_ONLY !== "1";

describe.runIf(RUN_FULL)("tampered tokens at the callback", () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("accepts untampered tokens", async () => {
    const browser = new Browser();
    const { page, launchId } = await stack.ehrLaunch(browser);
    expect(page.status, `${browser.trace()}\n${page.body.slice(0, 500)}\n${stack.app.output().slice(-2000)}`).toBe(200);
    const patient = await browser.get(`${stack.app.url}/api/launches/${launchId}/fhir/Patient/${FAULT_PATIENT_ID}`);
    expect(patient.status, patient.body).toBe(200);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const accessTokenFaults: Array<[string, () => TokenFault]> = [
    ["an unsigned access token", () => ({ kind: "tokens", access: { signing: "alg-none" } })],
    ["an access token HMAC-signed with the public key", () => ({ kind: "tokens", access: { signing: "hs256-public-key" } })],
    ["an access token with an unknown kid", () => ({ kind: "tokens", access: { header: { kid: "unknown-kid" } } })],
    ["an access token signed by a foreign key", () => ({ kind: "tokens", access: { signing: "foreign-key" } })],
    ["an access token from another issuer", () => ({ kind: "tokens", access: { claims: { iss: "https://evil.example/v1/apps/P2evil" } } })],
    ["an access token for another FHIR server", () => ({ kind: "tokens", access: { claims: { aud: ["P2other", FAULT_CLIENT_ID, "https://other.example/fhir"] } } })],
    ["an expired access token", () => ({ kind: "tokens", access: { claims: { iat: now() - 3600, nbf: now() - 3600, exp: now() - 120 } } })],
    ["an access token not yet valid", () => ({ kind: "tokens", access: { claims: { nbf: now() + 300 } } })],
    ["an access token without exp", () => ({ kind: "tokens", access: { claims: { exp: undefined } } })],
  ];

  it.each(accessTokenFaults)("rejects %s", async (_name, fault) => {
    stack.as.tokenFaults.push(fault());
    await expectLaunchRejected("The token could not be verified", "invalid_token");
  });

  const idTokenFaults: Array<[string, () => TokenFault]> = [
    ["an id token with the wrong nonce", () => ({ kind: "tokens", id: { claims: { nonce: "nonce-of-another-launch" } } })],
    ["an id token without nonce", () => ({ kind: "tokens", id: { claims: { nonce: undefined } } })],
    ["an unsigned id token", () => ({ kind: "tokens", id: { signing: "alg-none" } })],
    ["an id token HMAC-signed with the public key", () => ({ kind: "tokens", id: { signing: "hs256-public-key" } })],
    ["an id token for another client", () => ({ kind: "tokens", id: { claims: { aud: "another-client" } } })],
    ["an id token from another issuer", () => ({ kind: "tokens", id: { claims: { iss: "https://evil.example" } } })],
    ["an expired id token", () => ({ kind: "tokens", id: { claims: { iat: now() - 3600, exp: now() - 120 } } })],
  ];

  // oauth4webapi checks the id token inside the token response, before the app's own checks.
  it.each(idTokenFaults)("rejects %s", async (_name, fault) => {
    stack.as.tokenFaults.push(fault());
    await expectLaunchRejected("The sign-in could not be completed", "token_exchange_failed");
  });

  it("rejects an id token signed by a foreign key", async () => {
    stack.as.tokenFaults.push({ kind: "tokens", id: { signing: "foreign-key" } });
    await expectLaunchRejected("The token could not be verified", "invalid_token");
  });

  /** Run a launch with the fault already queued and check that it ended with no session. */
  async function expectLaunchRejected(title: string, errorCode: string): Promise<void> {
    const browser = new Browser();
    const { page } = await stack.ehrLaunch(browser);
    const requestId = expectErrorPage(page, 502, title);
    expect(stack.as.tokenFaults).toEqual([]);
    expect(findLeaks(page.body, stack.secrets())).toEqual([]);
    expectNoLaunchCookies(browser, stack.app.url);

    const callback = browser.hops.find((hop) => hop.url.pathname === "/callback")!;
    const launchId = callback.url.searchParams.get("state")!.split(".")[0]!;
    await expectLoggedOnce(stack.app.output, requestId, { event: "callback.failed", launchId, errorCode });
    expectProxyError(await browser.get(`${stack.app.url}/api/launches/${launchId}/fhir/Patient/${FAULT_PATIENT_ID}`), 401, "launch_not_found");
  }

  it("leaks no token into the server output", () => {
    expect(findLeaks(stack.app.output(), stack.secrets())).toEqual([]);
  });
});
