import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type JWK } from "jose";
import { startApp, TEST_SESSION_SECRET, type RunningApp } from "./support/app-server";
import { Browser } from "./support/fault-browser";
import { expectErrorPage, expectLoggedOnce, expectNoLaunchCookies, launchCookiesSet } from "./support/fault-checks";
import { startCountingServer, type CountingServer } from "./support/fault-fhir-server";
import { findLeaks, sandboxClientSecret } from "./support/fault-logs";

/**
 * Attacks on the launch URL, over HTTP against the built app: an `iss` that
 * is not trusted or only looks like a trusted one, missing or repeated
 * parameters, and forged, expired, replayed or misaddressed EHR launch tokens.
 *
 * The app trusts the sandbox FHIR server (launch tokens signed by the sandbox
 * EHR) and a second EHR, "EHR B", whose launch tokens this test signs with its
 * own key. Every attack `iss` points at a loopback "evil" server that counts
 * requests; it must receive none.
 */
const RUN_FULL = process.env.UNIT_ONLY !== "1";

/** Start a loopback JWKS endpoint for EHR B that also counts the requests it receives. */
async function startJwksServer(keys: JWK[]): Promise<{ origin: string; requests: string[]; stop: () => Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? "");
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.runIf(RUN_FULL)("launch URL attacks", () => {
  let app: RunningApp;
  let evil: CountingServer;
  let ehrB: Awaited<ReturnType<typeof startJwksServer>>;
  let ehrBKey: CryptoKey;
  let ehrBPem: string;
  let sandboxFhir: string;
  let ehrBFhir: string;
  let ehrBIssuer: string;
  let prefixIssuer: string;
  /** The sandbox EHR's signer, derived from the session secret in this process as the app derives it. */
  let sandboxEhr: typeof import("@/lib/sandbox/ehr/launch-token");
  let sandboxKeys: typeof import("@/lib/sandbox/keys");

  beforeAll(async () => {
    evil = await startCountingServer();
    const pair = await generateKeyPair("RS256", { extractable: true });
    ehrBKey = pair.privateKey;
    ehrBPem = await exportSPKI(pair.publicKey);
    ehrB = await startJwksServer([{ ...(await exportJWK(pair.publicKey)), kid: "ehr-b-1", alg: "RS256", use: "sig" }]);
    ehrBFhir = `${ehrB.origin}/fhir-b`;
    ehrBIssuer = `${ehrB.origin}/ehr-b`;
    // A trusted issuer whose whole `iss` is a prefix of the evil server's origin
    // (`http://127.0.0.1:4` before `http://127.0.0.1:41234`): a prefix match would let the evil server in.
    prefixIssuer = `${evil.origin.slice(0, evil.origin.lastIndexOf(":") + 1)}${new URL(evil.origin).port.slice(0, 2)}`;

    app = await startApp({
      TRUSTED_ISSUERS: JSON.stringify([
        { iss: ehrBFhir, name: "EHR B", launchContext: { type: "launch-token", issuer: ehrBIssuer, jwksUrl: `${ehrB.origin}/ehr-b/jwks` }, frameAncestors: [] },
        { iss: prefixIssuer, name: "Prefix EHR", launchContext: { type: "token-claims" }, frameAncestors: [] },
      ]),
    });
    sandboxFhir = `${app.url}/sandbox/fhir`;

    process.env.APP_BASE_URL = app.url;
    process.env.SESSION_SECRET = TEST_SESSION_SECRET;
    sandboxEhr = await import("@/lib/sandbox/ehr/launch-token");
    sandboxKeys = await import("@/lib/sandbox/keys");
  });

  afterAll(async () => {
    await app?.stop();
    await evil?.stop();
    await ehrB?.stop();
  });

  function launchUrl(query: Array<[string, string]>): string {
    return `${app.url}/launch?${new URLSearchParams(query)}`;
  }

  /** Send an attack to /launch and check the response: status, title, no cookie, one log line. */
  async function expectLaunchRejected(query: Array<[string, string]>, status: number, title: string, errorCode: string): Promise<void> {
    const browser = new Browser();
    const page = await browser.get(launchUrl(query), { noFollow: true });
    const requestId = expectErrorPage(page, status, title);
    expectNoLaunchCookies(browser, app.url);
    await expectLoggedOnce(app.output, requestId, { event: "launch.failed", errorCode });
    expect(evil.requests, JSON.stringify(evil.requests)).toEqual([]);
  }

  function sandboxLaunchToken(claims: Record<string, unknown> = {}, now: Date = new Date()): Promise<string> {
    return sandboxEhr.mintLaunchToken({ patient: "any-patient", fhirUser: "Practitioner/sandbox-practitioner", ...claims }, now);
  }

  function ehrBLaunchToken(claims: Record<string, unknown> = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ patient: "b-patient", jti: crypto.randomUUID(), iat: now, exp: now + 300, iss: ehrBIssuer, aud: ehrBFhir, ...claims })
      .setProtectedHeader({ alg: "RS256", kid: "ehr-b-1" })
      .sign(ehrBKey);
  }

  describe("untrusted iss", () => {
    const attacks: Array<[string, () => string]> = [
      ["an untrusted server", () => `${evil.origin}/fhir`],
      ["a path sharing the trusted prefix", () => `${sandboxFhir}.evil.example`],
      ["an origin sharing a trusted issuer's prefix", () => `${evil.origin}/fhir`],
      ["dot segments after the trusted base", () => `${sandboxFhir}/../../evil`],
      ["userinfo before the trusted host", () => `http://attacker:secret@${new URL(app.url).host}/sandbox/fhir`],
      ["the trusted host as userinfo", () => `http://${new URL(app.url).host}@${new URL(evil.origin).host}/sandbox/fhir`],
      ["an unusual port", () => `http://localhost:${new URL(evil.origin).port}/sandbox/fhir`],
      ["a javascript URL", () => "javascript:alert(document.cookie)//"],
      ["markup", () => `"><script>alert(1)</script>`],
    ];

    it.each(attacks)("rejects %s", async (_name, iss) => {
      await expectLaunchRejected([["iss", iss()], ["launch", "x"]], 400, "This EHR is not trusted", "untrusted_issuer");
    });

    it("escapes nothing of the attack into the page", async () => {
      const page = await new Browser().get(launchUrl([["iss", `"><script>alert(1)</script>`], ["launch", "x"]]), { noFollow: true });
      expect(page.body).not.toContain("<script>alert(1)</script>");
    });
  });

  describe("missing and repeated parameters", () => {
    it("rejects a missing iss", async () => {
      await expectLaunchRejected([["launch", "x"]], 400, "The launch request is incomplete", "invalid_launch_request");
    });

    it("rejects an empty iss", async () => {
      await expectLaunchRejected([["iss", ""], ["launch", "x"]], 400, "The launch request is incomplete", "invalid_launch_request");
    });

    it("rejects a missing launch", async () => {
      await expectLaunchRejected([["iss", sandboxFhir]], 400, "The launch request is incomplete", "invalid_launch_request");
    });

    it("rejects a launch above 4096 characters", async () => {
      await expectLaunchRejected([["iss", sandboxFhir], ["launch", "a".repeat(5000)]], 400, "The launch request is incomplete", "invalid_launch_request");
    });

    // Regression: the first of several `iss` values won, so a check or a proxy
    // that reads another one saw a different server than the launch used.
    it("rejects a repeated iss", async () => {
      const token = await sandboxLaunchToken();
      await expectLaunchRejected([["iss", sandboxFhir], ["iss", `${evil.origin}/fhir`], ["launch", token]], 400, "The launch request is incomplete", "invalid_launch_request");
      await expectLaunchRejected([["iss", `${evil.origin}/fhir`], ["iss", sandboxFhir], ["launch", token]], 400, "The launch request is incomplete", "invalid_launch_request");
    });

    it("rejects a repeated launch", async () => {
      const [first, second] = [await sandboxLaunchToken(), await sandboxLaunchToken()];
      await expectLaunchRejected([["iss", sandboxFhir], ["launch", first], ["launch", second]], 400, "The launch request is incomplete", "invalid_launch_request");
    });
  });

  describe("EHR launch tokens", () => {
    it("accepts a valid sandbox token once", async () => {
      const browser = new Browser();
      const token = await sandboxLaunchToken();
      const first = await browser.get(launchUrl([["iss", sandboxFhir], ["launch", token]]), { noFollow: true });
      expect(first.status, first.body.slice(0, 400)).toBe(303);
      expect(launchCookiesSet(first.headers)).toHaveLength(1);

      // Replayed: the same token a second time, from another browser.
      const replay = new Browser();
      const page = await replay.get(launchUrl([["iss", sandboxFhir], ["launch", token]]), { noFollow: true });
      const requestId = expectErrorPage(page, 400, "The launch could not be verified");
      expectNoLaunchCookies(replay, app.url);
      await expectLoggedOnce(app.output, requestId, { event: "launch.failed", errorCode: "invalid_launch_token" });
    });

    it("accepts a valid EHR B token", async () => {
      const page = await new Browser().get(launchUrl([["iss", ehrBFhir], ["launch", await ehrBLaunchToken()]]), { noFollow: true });
      expect(page.status, page.body.slice(0, 400)).toBe(303);
    });

    const invalidTokens: Array<[string, () => Promise<[string, string]>]> = [
      [
        "a forged token",
        async () => {
          const forger = await generateKeyPair("RS256");
          const kid = sandboxKeys.getSandboxSigningKey("ehr").kid;
          const now = Math.floor(Date.now() / 1000);
          const token = await new SignJWT({ patient: "victim", jti: crypto.randomUUID(), iat: now, exp: now + 300 })
            .setProtectedHeader({ alg: "RS256", kid })
            .setIssuer(`${app.url}/sandbox/ehr`)
            .setAudience(sandboxFhir)
            .sign(forger.privateKey);
          return [sandboxFhir, token];
        },
      ],
      ["an expired token", async () => [sandboxFhir, await sandboxLaunchToken({}, new Date(Date.now() - 15 * 60_000))]],
      ["a token issued in the future", async () => [sandboxFhir, await sandboxLaunchToken({}, new Date(Date.now() + 10 * 60_000))]],
      [
        "a token for another FHIR server",
        async () => {
          const key = sandboxKeys.getSandboxSigningKey("ehr");
          const now = Math.floor(Date.now() / 1000);
          const token = await new SignJWT({ patient: "p", jti: crypto.randomUUID(), iat: now, exp: now + 300 })
            .setProtectedHeader({ alg: "RS256", kid: key.kid })
            .setIssuer(`${app.url}/sandbox/ehr`)
            .setAudience(ehrBFhir)
            .sign(key.privateKey);
          return [sandboxFhir, token];
        },
      ],
      ["an EHR B token with the sandbox iss", async () => [sandboxFhir, await ehrBLaunchToken({ aud: sandboxFhir })]],
      ["a sandbox token with EHR B's iss", async () => [ehrBFhir, await sandboxLaunchToken()]],
      ["an EHR B token without jti", async () => [ehrBFhir, await ehrBLaunchToken({ jti: undefined })]],
      [
        "an unsigned token",
        async () => {
          const now = Math.floor(Date.now() / 1000);
          return [ehrBFhir, new UnsecuredJWT({ patient: "p", jti: crypto.randomUUID(), iat: now, exp: now + 300 }).setIssuer(ehrBIssuer).setAudience(ehrBFhir).encode()];
        },
      ],
      [
        "an HS256 token keyed with EHR B's public key",
        async () => {
          const now = Math.floor(Date.now() / 1000);
          const token = await new SignJWT({ patient: "p", jti: crypto.randomUUID(), iat: now, exp: now + 300, iss: ehrBIssuer, aud: ehrBFhir })
            .setProtectedHeader({ alg: "HS256", kid: "ehr-b-1" })
            .sign(new TextEncoder().encode(ehrBPem));
          return [ehrBFhir, token];
        },
      ],
      ["a token that is not a JWT", async () => [ehrBFhir, "not-a-jwt"]],
    ];

    it.each(invalidTokens)("rejects %s", async (_name, make) => {
      const [iss, token] = await make();
      await expectLaunchRejected([["iss", iss], ["launch", token]], 400, "The launch could not be verified", "invalid_launch_token");
    });
  });

  it("sent no request to the evil server", () => {
    expect(evil.requests).toEqual([]);
    // EHR B's key set was fetched, and nothing else from its origin.
    expect(ehrB.requests.every((path) => path === "/ehr-b/jwks"), ehrB.requests.join("\n")).toBe(true);
  });

  it("derives the sandbox client secret as the app does", () => {
    expect(sandboxClientSecret(TEST_SESSION_SECRET)).toBe(sandboxKeys.getSandboxClientSecret());
  });

  it("leaks no secret into the server output", () => {
    expect(findLeaks(app.output(), [TEST_SESSION_SECRET, sandboxClientSecret(TEST_SESSION_SECRET)])).toEqual([]);
  });
});
