import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES_DIR, startApp, TEST_SESSION_SECRET, type RunningApp } from "./support/app-server";
import { startFhirStub, type FhirStub } from "./support/fhir-stub";
import { startOpenIdProvider, type TestAccount, type TestOpenIdProvider } from "./support/oidc-provider";

/**
 * The app in Descope mode against a foreign, certified OpenID Provider
 * (oidc-provider) mounted at Descope's issuer path, and a FHIR server that
 * accepts only that provider's tokens. The whole EHR launch runs over HTTP
 * with a cookie jar, as a browser would follow it.
 */
const PROJECT_ID = "P2OidcProviderTest0000000001";
const CLIENT_ID = "UDJPaWRjUHJvdmlkZXJUZXN0OlRQQTE";
const CLIENT_SECRET = "client-secret-SEEDED-do-not-print-7f3a9c";
const FIXTURE = "synthea-maria-luisa-razo.json";
const RUN_FULL = process.env.UNIT_ONLY !== "1";

/**
 * Cookies per host name, as a browser keeps them for these loopback hosts.
 *
 * The app's launch cookies are `__Host-…; Secure; SameSite=None; Partitioned`.
 * Browsers treat http://localhost as a secure context and send such cookies
 * there; Node has no cookie store, so this jar keeps every cookie regardless
 * of `Secure`, matches `Path` by prefix, and ignores partitioning because all
 * requests here are top-level.
 */
class CookieJar {
  private readonly byHost = new Map<string, Map<string, { value: string; path: string }>>();

  store(url: URL, response: Response): void {
    const cookies = this.byHost.get(url.hostname) ?? new Map<string, { value: string; path: string }>();
    for (const header of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
      const separator = pair.indexOf("=");
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      const attribute = (key: string) => attributes.find((item) => item.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const cookiePath = attribute("path") ?? "/";
      const maxAge = attribute("max-age");
      const expires = attribute("expires");
      const expired = maxAge !== undefined ? Number(maxAge) <= 0 : expires !== undefined && Date.parse(expires) <= Date.now();
      if (expired || value === "") cookies.delete(name);
      else cookies.set(name, { value, path: cookiePath });
    }
    this.byHost.set(url.hostname, cookies);
  }

  header(url: URL): string {
    const cookies = this.byHost.get(url.hostname) ?? new Map();
    return [...cookies.entries()]
      .filter(([, cookie]) => url.pathname.startsWith(cookie.path))
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join("; ");
  }
}

interface Hop {
  method: string;
  url: URL;
  status: number;
}

/** A browser-like HTTP client: follows redirects by hand so that each hop's cookies are stored and sent. */
class Browser {
  readonly jar = new CookieJar();
  readonly hops: Hop[] = [];

  async request(method: "GET" | "POST", target: string | URL, form?: Record<string, string>): Promise<{ url: URL; response: Response; body: string }> {
    let url = new URL(target);
    let body: URLSearchParams | undefined = form ? new URLSearchParams(form) : undefined;
    for (let hop = 0; hop < 15; hop++) {
      if (!["localhost", "127.0.0.1"].includes(url.hostname)) throw new Error(`Request to a host other than loopback rejected: ${url.href}`);
      const cookie = this.jar.header(url);
      const response = await fetch(url, {
        method,
        redirect: "manual",
        headers: { ...(cookie ? { cookie } : {}), ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
        body,
      });
      this.jar.store(url, response);
      this.hops.push({ method, url, status: response.status });
      const location = response.headers.get("location");
      if (response.status < 300 || response.status >= 400 || !location) {
        return { url, response, body: await response.text() };
      }
      await response.arrayBuffer();
      url = new URL(location, url);
      // 303, and 302 after a POST as browsers do, continue as GET.
      if (response.status === 303 || (response.status === 302 && method === "POST")) {
        method = "GET";
        body = undefined;
      }
    }
    throw new Error(`More than 15 redirects:\n${this.trace()}`);
  }

  trace(): string {
    return this.hops.map((hop) => `${hop.method} ${hop.url.origin}${hop.url.pathname} -> ${hop.status}`).join("\n");
  }
}

/** Return the action of the only form in an oidc-provider interaction page. */
function formAction(html: string, pageUrl: URL): URL {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`No form on ${pageUrl.href}:\n${html.slice(0, 500)}`);
  return new URL(action.replace(/&amp;/g, "&"), pageUrl);
}

describe.runIf(RUN_FULL)("Descope mode against oidc-provider", () => {
  let provider: TestOpenIdProvider;
  let fhir: FhirStub;
  let app: RunningApp;
  const clinician: TestAccount = { name: "Dr. Ana Ortega", fhirUser: "Practitioner/ortega-1" };

  beforeAll(async () => {
    provider = await startOpenIdProvider({ projectId: PROJECT_ID, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, accounts: { "dr-ortega": clinician } });
    fhir = await startFhirStub({ fixtureFile: path.join(FIXTURES_DIR, FIXTURE), issuer: provider.issuer, jwksUri: provider.jwksUri });
    // The patient claim names the fixture's patient, as a Descope JWT template
    // would map it from the user's custom attributes.
    clinician.patient = fhir.patientId;

    app = await startApp({
      SANDBOX_ENABLED: "false",
      SANDBOX_DATA_DIR: "",
      DESCOPE_PROJECT_ID: PROJECT_ID,
      DESCOPE_BASE_URL: provider.baseUrl,
      DESCOPE_CLIENT_ID: CLIENT_ID,
      DESCOPE_CLIENT_SECRET: CLIENT_SECRET,
      TRUSTED_ISSUERS: JSON.stringify([{ iss: fhir.base, name: "Stub EHR", launchContext: { type: "token-claims" }, frameAncestors: ["http://127.0.0.1:1"] }]),
    });

    provider.register({ redirectUri: `${app.url}/callback`, fhirBase: fhir.base });
  });

  afterAll(async () => {
    await app?.stop();
    await fhir?.stop();
    await provider?.stop();
  });

  it("runs an EHR launch to the patient page", async () => {
    const account = { login: "dr-ortega" };
    const browser = new Browser();

    const loginPage = await browser.request("GET", `${app.url}/launch?iss=${encodeURIComponent(fhir.base)}&launch=xyz`);
    expect(loginPage.response.status, `${browser.trace()}\n${provider.errors.join("\n")}\n${loginPage.body.slice(0, 400)}`).toBe(200);
    expect(loginPage.url.origin).toBe(provider.baseUrl);
    expect(loginPage.body).toContain('name="prompt" value="login"');

    const consentPage = await browser.request("POST", formAction(loginPage.body, loginPage.url), { prompt: "login", login: account.login, password: "any" });
    expect(consentPage.response.status, browser.trace()).toBe(200);
    expect(consentPage.body).toContain('name="prompt" value="consent"');

    const launchPage = await browser.request("POST", formAction(consentPage.body, consentPage.url), { prompt: "consent" });
    expect(launchPage.response.status, `${browser.trace()}\n${provider.errors.join("\n")}\n${app.output().slice(-3000)}`).toBe(200);
    expect(launchPage.url.origin).toBe(app.url);
    const launchId = /^\/launches\/([A-Za-z0-9_-]+)$/.exec(launchPage.url.pathname)?.[1];
    expect(launchId, launchPage.url.pathname).toBeTruthy();

    const callbackHop = browser.hops.find((hop) => hop.url.pathname === "/callback");
    expect(callbackHop?.status).toBe(303);
    expect(callbackHop?.url.searchParams.get("iss")).toBe(provider.issuer);

    const patientResponse = await browser.request("GET", `${app.url}/api/launches/${launchId}/fhir/Patient/${fhir.patientId}`);
    expect(patientResponse.response.status, patientResponse.body).toBe(200);
    const patient = JSON.parse(patientResponse.body) as { resourceType: string; id: string };
    expect(patient.resourceType).toBe("Patient");
    expect(patient.id).toBe(fhir.patientId);

    const search = await browser.request("GET", `${app.url}/api/launches/${launchId}/fhir/Condition?patient=${fhir.patientId}`);
    expect(search.response.status).toBe(200);
    expect((JSON.parse(search.body) as { total: number }).total).toBeGreaterThan(0);

    // The FHIR stub saw verified tokens only, shaped like a Descope Inbound App token.
    expect(fhir.requests.every((request) => request.status !== 401), JSON.stringify(fhir.requests)).toBe(true);
    const claims = fhir.requests.at(-1)?.claims;
    expect(claims?.sub).toBe(account.login);
    expect(claims?.aud).toEqual([PROJECT_ID, CLIENT_ID, fhir.base]);
    expect(claims?.fhirUser).toBe(clinician.fhirUser);
    expect(claims?.patient).toBe(fhir.patientId);
    expect(String(claims?.scope).split(" ")).toEqual(expect.arrayContaining(["launch", "fhirUser", "patient/*.rs"]));

    const consent = await browser.request("GET", `${app.url}/launches/${launchId}/consent`);
    expect(consent.response.status).toBe(200);
    expect(consent.body).toContain(`<dd data-testid="signed-in-user">${clinician.fhirUser}</dd>`);
    expect(consent.body).toContain(`(Patient/${fhir.patientId})`);
    // oidc-provider lists only the resource server's scopes in the token
    // response when `resource` is sent (RFC 8707); the app counts `openid` as
    // granted because a verified id token arrived.
    for (const scope of ["launch", "openid", "fhirUser", "patient/*.rs"]) {
      expect(consent.body, scope).toContain(`<tr data-status="granted"><td><code>${scope}</code>`);
    }
  });

  it("sent a SMART authorization request", () => {
    const request = provider.authorizationRequests[0]?.params;
    expect(request, "no authorization request recorded").toBeDefined();
    expect(request!.response_type).toBe("code");
    expect(request!.client_id).toBe(CLIENT_ID);
    expect(request!.redirect_uri).toBe(`${app.url}/callback`);
    expect(request!.code_challenge_method).toBe("S256");
    expect(request!.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(request!.state).toMatch(/^[A-Za-z0-9_-]{16,64}\.[A-Za-z0-9_-]{16,}$/);
    expect(request!.nonce?.length).toBeGreaterThanOrEqual(22);
    expect(request!.resource).toBe(fhir.base);
    expect(request!.aud).toBe(fhir.base);
    expect(request!.launch).toBe("xyz");
    expect(request!.scope?.split(" ")).toEqual(expect.arrayContaining(["launch", "openid", "fhirUser", "patient/*.rs"]));
  });

  it("sent a token request with PKCE and resource", () => {
    const request = provider.tokenRequests[0]?.params;
    expect(request, "no token request recorded").toBeDefined();
    expect(request!.grant_type).toBe("authorization_code");
    expect(request!.code_verifier).toMatch(/^[A-Za-z0-9_~.-]{43,128}$/);
    expect(request!.resource).toBe(fhir.base);
    expect(request!.redirect_uri).toBe(`${app.url}/callback`);
    expect(request).not.toHaveProperty("client_secret");
  });

  it("rejects an aud that differs from resource", async () => {
    const browser = new Browser();
    const start = await fetch(`${app.url}/launch?iss=${encodeURIComponent(fhir.base)}&launch=abc`, { redirect: "manual" });
    const authorize = new URL(start.headers.get("location")!);
    authorize.searchParams.set("aud", "https://other.example/fhir");
    const page = await browser.request("GET", authorize);
    // oidc-provider redirects errors to the registered redirect URI, where the app shows its error page.
    const errorHop = browser.hops.find((hop) => hop.url.pathname === "/callback");
    expect(errorHop?.url.searchParams.get("error")).toBe("invalid_request");
    expect(page.response.status).toBeGreaterThanOrEqual(400);
  });

  it("keeps tokens and secrets out of pages and logs", async () => {
    const browser = new Browser();
    const status = await browser.request("GET", `${app.url}/status`);
    expect(status.response.status).toBe(200);
    expect(status.body).toContain(provider.issuer);
    expect(status.body).toContain(CLIENT_ID);
    expect(status.body).not.toContain(CLIENT_SECRET);
    expect(status.body).not.toContain(TEST_SESSION_SECRET);
    expect(app.output()).not.toContain(CLIENT_SECRET);
    expect(app.output()).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  });
});
