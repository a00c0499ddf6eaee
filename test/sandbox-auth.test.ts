import { randomBytes } from "node:crypto";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { TEST_SESSION_SECRET } from "./support/app-server";
import { s256Challenge } from "@/lib/sandbox/auth/pkce";
import { getSandboxClientSecret } from "@/lib/sandbox/keys";

/**
 * Integration tests of the sandbox authorization server: real HTTP calls to
 * the built app that the global setup started, driving the sign-in and
 * consent pages the way a browser would.
 */

const appUrl = inject("appUrl");
const base = `${appUrl}/sandbox/descope`;
const issuer = `${base}/v1/apps/Psandbox`;
const tokenUrl = `${base}/oauth2/v1/apps/token`;
const fhirBase = `${appUrl}/sandbox/fhir`;
const clientId = "sandbox-smart-app";
const redirectUri = `${appUrl}/callback`;
const publicClientId = "sandbox-public-client";
const publicRedirectUri = "http://127.0.0.1/callback";
const accessTokenTtl = 3600;

let clientSecret: string;
const authServerKeys = createRemoteJWKSet(new URL(`${base}/Psandbox/.well-known/jwks.json`));

// The client secret is derived from the session secret, which the test server shares with this process.
beforeAll(() => {
  process.env.SESSION_SECRET = TEST_SESSION_SECRET;
  process.env.SANDBOX_ENABLED = "true";
  process.env.APP_BASE_URL = appUrl;
  clientSecret = getSandboxClientSecret();
});

// ---------------------------------------------------------------------------
// Helpers that play the browser and the client.

function decodeHtml(text: string): string {
  return text.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
}

type Attributes = Record<string, string>;

/** Return the attributes of every `<input>` and `<button>` in `html`; React does not keep attributes in source order. */
function formControls(html: string): Attributes[] {
  return [...html.matchAll(/<(input|button)\b([^>]*)>/g)].map((tag) =>
    Object.fromEntries([...(tag[2] ?? "").matchAll(/([\w-]+)="([^"]*)"/g)].map((attribute) => [attribute[1], decodeHtml(attribute[2] ?? "")])),
  );
}

function hiddenRequest(html: string): string {
  const value = formControls(html).find((control) => control.name === "request")?.value;
  if (!value) throw new Error(`no hidden "request" field in:\n${html.slice(0, 2000)}`);
  return value;
}

function inputValues(html: string, name: string): string[] {
  return formControls(html)
    .filter((control) => control.name === name)
    .map((control) => control.value ?? "");
}

function location(response: Response): URL {
  const header = response.headers.get("location");
  if (!header) throw new Error(`expected a redirect, got ${response.status}`);
  return new URL(header);
}

async function get(url: string | URL): Promise<Response> {
  return fetch(url, { redirect: "manual" });
}

async function postForm(url: string, form: URLSearchParams, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: "POST", body: form, redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", ...headers } });
}

interface Pkce {
  verifier: string;
  challenge: string;
}

function newPkce(): Pkce {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: s256Challenge(verifier) };
}

interface AuthorizeInput {
  pkce?: Pkce;
  scope?: string;
  state?: string;
  nonce?: string;
  clientId?: string;
  redirectUri?: string;
  extra?: Record<string, string>;
}

function authorizeUrl(input: AuthorizeInput = {}): URL {
  const pkce = input.pkce ?? newPkce();
  const url = new URL(`${base}/oauth2/v1/apps/authorize`);
  const params: Record<string, string> = {
    response_type: "code",
    client_id: input.clientId ?? clientId,
    redirect_uri: input.redirectUri ?? redirectUri,
    scope: input.scope ?? "openid fhirUser launch/patient patient/*.rs offline_access",
    state: input.state ?? "state-123",
    nonce: input.nonce ?? "nonce-456",
    aud: fhirBase,
    code_challenge: pkce.challenge,
    code_challenge_method: "S256",
    ...input.extra,
  };
  for (const [name, value] of Object.entries(params)) if (value !== "") url.searchParams.set(name, value);
  return url;
}

interface ConsentChoices {
  /** Picks the user from the login page's user ids; the first (the practitioner) by default. */
  user?: (ids: string[]) => string;
  /** Scopes to untick on the consent page. */
  untick?: string[];
  decision?: "allow" | "deny";
}

/** Follow an authorization request through sign-in and return the response to the sign-in form. */
async function signIn(url: URL, choices: ConsentChoices = {}): Promise<Response> {
  const authorize = await get(url);
  expect(authorize.status).toBe(303);
  const loginUrl = location(authorize);
  expect(loginUrl.pathname).toBe("/sandbox/descope/login");

  const loginPage = await get(loginUrl);
  expect(loginPage.status).toBe(200);
  const loginHtml = await loginPage.text();
  const users = inputValues(loginHtml, "user");
  const user = choices.user ? choices.user(users) : users[0];
  return postForm(`${base}/login/submit`, new URLSearchParams({ request: hiddenRequest(loginHtml), user: user ?? "" }));
}

/** Drive an authorization request through sign-in and consent; returns the final redirect to the client. */
async function authorizeAndConsent(url: URL, choices: ConsentChoices = {}): Promise<URL> {
  const login = await signIn(url, choices);
  expect(login.status).toBe(303);
  const consentUrl = location(login);
  expect(consentUrl.pathname).toBe("/sandbox/descope/consent");

  const consentPage = await get(consentUrl);
  const consentHtml = await consentPage.text();
  const form = new URLSearchParams({ request: hiddenRequest(consentHtml), decision: choices.decision ?? "allow" });
  for (const scope of inputValues(consentHtml, "scope")) if (!choices.untick?.includes(scope)) form.append("scope", scope);

  const consent = await postForm(`${base}/consent/submit`, form);
  expect(consent.status).toBe(303);
  return location(consent);
}

type TokenAuth = "post" | "basic" | "none";

async function postToken(body: Record<string, string>, auth: TokenAuth = "post", id = clientId): Promise<Response> {
  const form = new URLSearchParams(body);
  const headers: Record<string, string> = {};
  if (auth === "basic") headers.authorization = `Basic ${Buffer.from(`${id}:${clientSecret}`).toString("base64")}`;
  else form.set("client_id", id);
  if (auth === "post") form.set("client_secret", clientSecret);
  return postForm(tokenUrl, form, headers);
}

async function exchangeCode(code: string, pkce: Pkce, auth: TokenAuth = "post"): Promise<Response> {
  return postToken({ grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: pkce.verifier }, auth);
}

/** Run a whole code flow for the app's client and return the token response body. */
async function obtainTokens(input: AuthorizeInput = {}, choices: ConsentChoices = {}): Promise<Record<string, unknown>> {
  const pkce = input.pkce ?? newPkce();
  const callback = await authorizeAndConsent(authorizeUrl({ ...input, pkce }), choices);
  const response = await exchangeCode(callback.searchParams.get("code") ?? "", pkce);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function launchTokenFromEhr(query: Record<string, string>): Promise<string> {
  const page = await get(`${appUrl}/sandbox/ehr/launch?${new URLSearchParams(query)}`);
  const html = await page.text();
  const src = /<iframe[^>]*src="([^"]+)"/.exec(html)?.[1];
  if (!src) throw new Error(`no iframe on the EHR launch page:\n${html.slice(0, 2000)}`);
  // The frame loads the EHR's open route, which signs a token and redirects to the app.
  const opened = await fetch(decodeHtml(src), { redirect: "manual" });
  return new URL(opened.headers.get("location") ?? "").searchParams.get("launch") ?? "";
}

async function firstPatientId(): Promise<string> {
  const html = await (await get(`${appUrl}/sandbox/ehr`)).text();
  const id = inputValues(html, "patient")[0];
  if (!id) throw new Error("the EHR lists no patients");
  return id;
}

function expectRedirectError(url: URL, error: string): void {
  expect(url.searchParams.get("error")).toBe(error);
  expect(url.searchParams.get("error_description")).toBeTruthy();
  expect(url.searchParams.get("iss")).toBe(issuer);
}

// ---------------------------------------------------------------------------

describe("discovery", () => {
  it("publishes the OpenID configuration", async () => {
    const response = await get(`${issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const metadata = await response.json();
    expect(metadata).toMatchObject({
      issuer,
      authorization_endpoint: `${base}/oauth2/v1/apps/authorize`,
      token_endpoint: tokenUrl,
      userinfo_endpoint: `${base}/oauth2/v1/apps/userinfo`,
      revocation_endpoint: `${base}/oauth2/v1/apps/revoke`,
      jwks_uri: `${base}/Psandbox/.well-known/jwks.json`,
      code_challenge_methods_supported: ["S256"],
      response_types_supported: ["code"],
      id_token_signing_alg_values_supported: ["RS256"],
      authorization_response_iss_parameter_supported: true,
    });
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(["authorization_code", "refresh_token"]));
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(["client_secret_basic", "client_secret_post", "none"]));
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(["openid", "fhirUser", "launch", "launch/patient", "offline_access"]));
    expect(metadata.claims_supported).toEqual(expect.arrayContaining(["sub", "fhirUser"]));
  });

  it("returns 404 for an unknown project", async () => {
    expect((await get(`${base}/v1/apps/Pother/.well-known/openid-configuration`)).status).toBe(404);
    expect((await get(`${base}/Pother/.well-known/jwks.json`)).status).toBe(404);
    expect((await get(`${base}/v2/keys/Pother`)).status).toBe(404);
  });
});

describe("key sets", () => {
  it("serves the same signing key at both authorization server paths", async () => {
    const first = await (await get(`${base}/Psandbox/.well-known/jwks.json`)).json();
    const second = await (await get(`${base}/v2/keys/Psandbox`)).json();
    expect(first.keys).toHaveLength(1);
    expect(first.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
    expect(first.keys[0].kid).toBeTruthy();
    expect(first.keys[0].d).toBeUndefined();
    expect(second).toEqual(first);
  });

  it("serves a different key for the EHR", async () => {
    const server = await (await get(`${base}/Psandbox/.well-known/jwks.json`)).json();
    const ehr = await (await get(`${appUrl}/sandbox/ehr/.well-known/jwks.json`)).json();
    expect(ehr.keys).toHaveLength(1);
    expect(ehr.keys[0].d).toBeUndefined();
    expect(ehr.keys[0].kid).not.toBe(server.keys[0].kid);
  });
});

describe("authorize rejects", () => {
  it("a request without code_challenge", async () => {
    const url = authorizeUrl({ extra: { code_challenge: "", code_challenge_method: "" } });
    const target = location(await get(url));
    expect(target.origin + target.pathname).toBe(redirectUri);
    expectRedirectError(target, "invalid_request");
    expect(target.searchParams.get("state")).toBe("state-123");
    expect(target.searchParams.get("error_description")).toContain("code_challenge");
  });

  it("the plain PKCE method", async () => {
    const target = location(await get(authorizeUrl({ extra: { code_challenge_method: "plain" } })));
    expectRedirectError(target, "invalid_request");
  });

  it("an unregistered redirect_uri with a page, not a redirect", async () => {
    const response = await get(authorizeUrl({ redirectUri: "https://attacker.example/callback" }));
    expect(response.status).toBe(401);
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain("redirect_uri");
  });

  it("a redirect_uri that differs only by a trailing slash", async () => {
    const response = await get(authorizeUrl({ redirectUri: `${redirectUri}/` }));
    expect(response.status).toBe(401);
    expect(response.headers.get("location")).toBeNull();
  });

  it("an unknown client with a page, not a redirect", async () => {
    const response = await get(authorizeUrl({ clientId: "unknown-client" }));
    expect(response.status).toBe(401);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toContain("invalid_client");
  });

  it("a missing client_id with a page", async () => {
    const response = await get(authorizeUrl({ clientId: "" }));
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
  });

  it("another FHIR server as aud", async () => {
    const target = location(await get(authorizeUrl({ extra: { aud: "https://fhir.example/r4" } })));
    expectRedirectError(target, "invalid_target");
  });

  it("aud and resource that disagree", async () => {
    const target = location(await get(authorizeUrl({ extra: { resource: `${appUrl}/sandbox/other` } })));
    expectRedirectError(target, "invalid_request");
  });

  it("an unsupported scope", async () => {
    const target = location(await get(authorizeUrl({ scope: "openid system/*.rs" })));
    expectRedirectError(target, "invalid_scope");
  });

  it("a response_type other than code", async () => {
    const target = location(await get(authorizeUrl({ extra: { response_type: "token" } })));
    expectRedirectError(target, "unsupported_response_type");
  });

  it("prompt=none, as there is no sign-in session", async () => {
    const target = location(await get(authorizeUrl({ extra: { prompt: "none" } })));
    expectRedirectError(target, "login_required");
  });

  it("the launch scope without a launch parameter", async () => {
    const target = location(await get(authorizeUrl({ scope: "launch openid patient/*.rs" })));
    expectRedirectError(target, "invalid_request");
  });
});

describe("authorization code flow", () => {
  it("issues tokens with the specified claims", async () => {
    const pkce = newPkce();
    const callback = await authorizeAndConsent(authorizeUrl({ pkce, nonce: "nonce-claims" }));
    expect(callback.origin + callback.pathname).toBe(redirectUri);
    expect(callback.searchParams.get("state")).toBe("state-123");
    expect(callback.searchParams.get("iss")).toBe(issuer);

    const response = await exchangeCode(callback.searchParams.get("code") ?? "", pkce);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.json();
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: accessTokenTtl, scope: "openid fhirUser launch/patient patient/*.rs offline_access" });
    expect(body.refresh_token).toEqual(expect.any(String));
    // A practitioner on a standalone launch gets no patient: the app shows its picker.
    expect(body.patient).toBeUndefined();

    const keys = await (await get(`${base}/Psandbox/.well-known/jwks.json`)).json();
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: "RS256", kid: keys.keys[0].kid });
    const { payload: access } = await jwtVerify(body.access_token, authServerKeys, { issuer, algorithms: ["RS256"] });
    expect(access).toMatchObject({
      iss: issuer,
      sub: "sandbox-practitioner",
      aud: ["Psandbox", clientId, fhirBase],
      azp: clientId,
      scope: "openid fhirUser launch/patient patient/*.rs offline_access",
      fhirUser: "Practitioner/sandbox-practitioner",
    });
    expect((access.exp ?? 0) - (access.iat ?? 0)).toBe(accessTokenTtl);
    expect(access.jti).toEqual(expect.any(String));
    expect(access.patient).toBeUndefined();
    expect(access.sim_error).toBeUndefined();

    const { payload: id } = await jwtVerify(body.id_token, authServerKeys, { issuer, audience: clientId, algorithms: ["RS256"] });
    expect(id).toMatchObject({ sub: "sandbox-practitioner", nonce: "nonce-claims", fhirUser: "Practitioner/sandbox-practitioner" });
    expect(id.name).toEqual(expect.stringContaining("Dr."));
  });

  it("gives a patient user their own record on a standalone launch", async () => {
    const body = await obtainTokens({}, { user: (ids) => ids.find((id) => id.startsWith("patient-")) ?? "" });
    expect(body.patient).toEqual(expect.any(String));
    expect(body.need_patient_banner).toBe(true);

    const { payload } = await jwtVerify(body.access_token as string, authServerKeys, { issuer });
    expect(payload.sub).toBe(`patient-${body.patient}`);
    expect(payload.fhirUser).toBe(`Patient/${body.patient}`);
    expect(payload.patient).toBe(body.patient);
  });

  it("accepts a JSON token request", async () => {
    const pkce = newPkce();
    const callback = await authorizeAndConsent(authorizeUrl({ pkce }));
    const response = await fetch(tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "authorization_code",
        code: callback.searchParams.get("code"),
        redirect_uri: redirectUri,
        code_verifier: pkce.verifier,
        client_id: clientId,
        client_secret: clientSecret,
      }),
    });
    expect(response.status).toBe(200);
    expect((await response.json()).access_token).toEqual(expect.any(String));
  });

  it("leaves out the scopes the user unticked", async () => {
    const body = await obtainTokens({}, { untick: ["patient/*.rs", "offline_access"] });
    expect(body.scope).toBe("openid fhirUser launch/patient");
    expect(body.refresh_token).toBeUndefined();
    const { payload } = await jwtVerify(body.access_token as string, authServerKeys, { issuer });
    expect(payload.scope).toBe("openid fhirUser launch/patient");
  });

  it("leaves out the id_token without openid", async () => {
    const body = await obtainTokens({ scope: "launch/patient patient/*.rs" });
    expect(body.id_token).toBeUndefined();
  });

  it("returns access_denied with state when the user denies", async () => {
    const target = await authorizeAndConsent(authorizeUrl({ state: "deny-state" }), { decision: "deny" });
    expect(target.origin + target.pathname).toBe(redirectUri);
    expectRedirectError(target, "access_denied");
    expect(target.searchParams.get("state")).toBe("deny-state");
    expect(target.searchParams.get("code")).toBeNull();
  });

  it("returns access_denied when the user unticks every scope", async () => {
    const scope = "openid patient/*.rs";
    const target = await authorizeAndConsent(authorizeUrl({ scope }), { untick: ["openid", "patient/*.rs"] });
    expectRedirectError(target, "access_denied");
  });
});

describe("sign-in and consent forms", () => {
  it("label every control for assistive technology", async () => {
    const authorize = await get(authorizeUrl());
    const loginHtml = await (await get(location(authorize))).text();
    expect(loginHtml).toContain("<legend>Sign in as</legend>");
    expect(loginHtml).toMatch(/<button type="submit" name="user" value="sandbox-practitioner">Sign in as <strong>Dr\. [^<]+<\/strong> <span>\(practitioner\)<\/span><\/button>/);

    const login = await postForm(`${base}/login/submit`, new URLSearchParams({ request: hiddenRequest(loginHtml), user: "sandbox-practitioner" }));
    const consentHtml = await (await get(location(login))).text();
    expect(consentHtml).toMatch(/<button [^>]*value="allow"[^>]*>Allow<\/button>/);
    expect(consentHtml).toMatch(/<button [^>]*value="deny"[^>]*>Deny<\/button>/);

    const checkboxes = formControls(consentHtml).filter((control) => control.type === "checkbox");
    expect(checkboxes.map((control) => control.value)).toEqual(["openid", "fhirUser", "launch/patient", "patient/*.rs", "offline_access"]);
    for (const checkbox of checkboxes) {
      expect(consentHtml).toContain(`value="${checkbox.value}" checked aria-describedby="${checkbox["aria-describedby"]}">`);
      expect(consentHtml).toContain(`id="${checkbox["aria-describedby"]}"`);
    }
    expect(consentHtml).toMatch(/<label><input [^>]*value="openid"[^>]*> <code>openid<\/code><\/label>/);
  });

  it("load no script", async () => {
    const login = await signIn(authorizeUrl());
    const consentPage = await get(location(login));
    const loginPage = await get(location(await get(authorizeUrl())));

    for (const page of [loginPage, consentPage]) {
      expect(page.status).toBe(200);
      expect(page.headers.get("cache-control")).toBe("no-store");
      expect(await page.text()).not.toMatch(/<script\b/i);
    }
  });

  it("suggest the login_hint user first", async () => {
    const loginHtml = await (await get(location(await get(authorizeUrl())))).text();
    const users = inputValues(loginHtml, "user");
    const patientUser = users.find((user) => user !== "sandbox-practitioner")!;

    const hinted = await (await get(location(await get(authorizeUrl({ extra: { login_hint: patientUser } }))))).text();
    const hintedUsers = inputValues(hinted, "user");
    expect(hintedUsers[0]).toBe(patientUser);
    expect([...hintedUsers].sort()).toEqual([...users].sort());
    expect(hinted).toMatch(new RegExp(`<button type="submit" name="user" value="${patientUser}">.*<span>· suggested</span></button>`));
    expect(hinted).toMatch(/<button type="submit" name="user" value="sandbox-practitioner" class="secondary">/);
    expect(hinted.match(/· suggested/g)).toHaveLength(1);
    expect(loginHtml).not.toContain("suggested");
    expect(loginHtml).not.toContain('class="secondary"');
  });

  it("reject a forged step with a 400 page", async () => {
    for (const step of ["login", "consent"]) {
      const response = await get(`${base}/${step}?request=forged`);
      expect(response.status).toBe(400);
      const html = await response.text();
      expect(html).toContain("This sign-in request cannot continue");
      expect(html).toContain("Go back to the app and sign in again");
      expect(html).not.toContain("forged");
    }
  });

  it("reject a consent form submitted twice", async () => {
    const login = await signIn(authorizeUrl());
    const consentHtml = await (await get(location(login))).text();
    const form = new URLSearchParams({ request: hiddenRequest(consentHtml), decision: "allow", scope: "openid" });
    expect((await postForm(`${base}/consent/submit`, form)).status).toBe(303);

    const replay = await postForm(`${base}/consent/submit`, form);
    expect(replay.status).toBe(400);
    expect(replay.headers.get("location")).toBeNull();
  });

  it("reject reloading a submitted consent page", async () => {
    const login = await signIn(authorizeUrl());
    const consentUrl = location(login);
    const consentHtml = await (await get(consentUrl)).text();
    const form = new URLSearchParams({ request: hiddenRequest(consentHtml), decision: "allow", scope: "openid" });
    expect((await postForm(`${base}/consent/submit`, form)).status).toBe(303);

    const reload = await get(consentUrl);

    expect(reload.status).toBe(400);
    const html = await reload.text();
    expect(html).toContain("This consent form was already submitted");
    expect(html).not.toContain('name="decision"');
  });

  it("reject a post from another origin", async () => {
    const login = await signIn(authorizeUrl());
    const consentHtml = await (await get(location(login))).text();
    const form = new URLSearchParams({ request: hiddenRequest(consentHtml), decision: "allow", scope: "openid" });
    const response = await postForm(`${base}/consent/submit`, form, { origin: "https://attacker.example" });
    expect(response.status).toBe(403);
    expect(response.headers.get("location")).toBeNull();
  });

  it("reject a post that the browser marks cross-site", async () => {
    const login = await signIn(authorizeUrl());
    const consentHtml = await (await get(location(login))).text();
    const form = new URLSearchParams({ request: hiddenRequest(consentHtml), decision: "allow", scope: "openid" });
    const response = await postForm(`${base}/consent/submit`, form, { origin: appUrl, "sec-fetch-site": "cross-site" });
    expect(response.status).toBe(403);
  });

  // Chromium sends "Origin: null" on same-origin form posts when the page has "Referrer-Policy: no-referrer".
  it("accept a same-origin post with Origin null", async () => {
    const login = await signIn(authorizeUrl());
    const consentHtml = await (await get(location(login))).text();
    const form = new URLSearchParams({ request: hiddenRequest(consentHtml), decision: "allow", scope: "openid" });
    const response = await postForm(`${base}/consent/submit`, form, { origin: "null", "sec-fetch-site": "same-origin" });
    expect(response.status).toBe(303);
    expect(location(response).searchParams.get("code")).toBeTruthy();
  });

  it("reject an unknown user", async () => {
    const authorize = await get(authorizeUrl());
    const loginHtml = await (await get(location(authorize))).text();
    const response = await postForm(`${base}/login/submit`, new URLSearchParams({ request: hiddenRequest(loginHtml), user: "mallory" }));
    expect(response.status).toBe(400);
  });

  it("reject a forged request field", async () => {
    const response = await postForm(`${base}/login/submit`, new URLSearchParams({ request: "not-a-jwe", user: "sandbox-practitioner" }));
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
  });
});

describe("token endpoint", () => {
  it("rejects a wrong code_verifier", async () => {
    const pkce = newPkce();
    const callback = await authorizeAndConsent(authorizeUrl({ pkce }));
    const response = await exchangeCode(callback.searchParams.get("code") ?? "", newPkce());
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("rejects a missing code_verifier", async () => {
    const callback = await authorizeAndConsent(authorizeUrl());
    const response = await postToken({ grant_type: "authorization_code", code: callback.searchParams.get("code") ?? "", redirect_uri: redirectUri });
    expect(await response.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("rejects a different redirect_uri", async () => {
    const pkce = newPkce();
    const callback = await authorizeAndConsent(authorizeUrl({ pkce }));
    const response = await postToken({
      grant_type: "authorization_code",
      code: callback.searchParams.get("code") ?? "",
      redirect_uri: `${redirectUri}?other`,
      code_verifier: pkce.verifier,
    });
    expect(await response.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("rejects a replayed code and revokes its refresh token", async () => {
    const pkce = newPkce();
    const callback = await authorizeAndConsent(authorizeUrl({ pkce }));
    const code = callback.searchParams.get("code") ?? "";
    const first = await exchangeCode(code, pkce);
    expect(first.status).toBe(200);
    const { refresh_token: refreshToken } = await first.json();

    const replay = await exchangeCode(code, pkce);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: "invalid_grant" });

    const refresh = await postToken({ grant_type: "refresh_token", refresh_token: refreshToken });
    expect(await refresh.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("rejects a code issued to another client", async () => {
    const pkce = newPkce();
    const url = authorizeUrl({ pkce, clientId: publicClientId, redirectUri: publicRedirectUri });
    const callback = await authorizeAndConsent(url);
    const response = await postToken({
      grant_type: "authorization_code",
      code: callback.searchParams.get("code") ?? "",
      redirect_uri: publicRedirectUri,
      code_verifier: pkce.verifier,
    });
    expect(await response.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("accepts client_secret_basic", async () => {
    const pkce = newPkce();
    const callback = await authorizeAndConsent(authorizeUrl({ pkce }));
    const response = await exchangeCode(callback.searchParams.get("code") ?? "", pkce, "basic");
    expect(response.status).toBe(200);
  });

  it("rejects a wrong secret with 401 and a Basic challenge", async () => {
    const response = await postForm(tokenUrl, new URLSearchParams({ grant_type: "authorization_code", code: "x" }), {
      authorization: `Basic ${Buffer.from(`${clientId}:wrong`).toString("base64")}`,
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Basic /);
    expect(await response.json()).toMatchObject({ error: "invalid_client" });
  });

  it("rejects the confidential client without a secret", async () => {
    const response = await postToken({ grant_type: "authorization_code", code: "x" }, "none");
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: "invalid_client" });
  });

  it("rejects an unsupported grant type", async () => {
    const response = await postToken({ grant_type: "client_credentials" });
    expect(await response.json()).toMatchObject({ error: "unsupported_grant_type" });
  });

  it("rejects a request without grant_type", async () => {
    const response = await postToken({});
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_request" });
  });

  it("rejects a plain-text body", async () => {
    const response = await fetch(tokenUrl, { method: "POST", body: "grant_type=authorization_code", headers: { "content-type": "text/plain" } });
    expect(await response.json()).toMatchObject({ error: "invalid_request" });
  });
});

describe("refresh tokens", () => {
  it("rotate, and the old one stops working", async () => {
    const tokens = await obtainTokens();
    const first = await postToken({ grant_type: "refresh_token", refresh_token: tokens.refresh_token as string });
    expect(first.status).toBe(200);
    const rotated = await first.json();
    expect(rotated.refresh_token).toEqual(expect.any(String));
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    expect(rotated.scope).toBe(tokens.scope);

    const reuse = await postToken({ grant_type: "refresh_token", refresh_token: tokens.refresh_token as string });
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: "invalid_grant" });

    const next = await postToken({ grant_type: "refresh_token", refresh_token: rotated.refresh_token });
    expect(next.status).toBe(200);
  });

  it("narrow the scope of the access token but keep the grant", async () => {
    const tokens = await obtainTokens();
    const narrowed = await (await postToken({ grant_type: "refresh_token", refresh_token: tokens.refresh_token as string, scope: "patient/*.rs" })).json();
    expect(narrowed.scope).toBe("patient/*.rs");
    expect(narrowed.id_token).toBeUndefined();
    const { payload } = await jwtVerify(narrowed.access_token, authServerKeys, { issuer });
    expect(payload.scope).toBe("patient/*.rs");

    const full = await (await postToken({ grant_type: "refresh_token", refresh_token: narrowed.refresh_token })).json();
    expect(full.scope).toBe(tokens.scope);
  });

  it("never widen the scope", async () => {
    const tokens = await obtainTokens();
    const response = await postToken({ grant_type: "refresh_token", refresh_token: tokens.refresh_token as string, scope: "patient/*.rs user/*.rs" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_scope" });
  });

  it("belong to the client they were issued to", async () => {
    const tokens = await obtainTokens();
    const response = await postToken({ grant_type: "refresh_token", refresh_token: tokens.refresh_token as string }, "none", publicClientId);
    expect(await response.json()).toMatchObject({ error: "invalid_grant" });
  });
});

describe("userinfo", () => {
  it("returns the user for a Bearer token", async () => {
    const tokens = await obtainTokens();
    const response = await get(`${base}/oauth2/v1/apps/userinfo`);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);

    const info = await fetch(`${base}/oauth2/v1/apps/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ sub: "sandbox-practitioner", fhirUser: "Practitioner/sandbox-practitioner", name: expect.stringContaining("Dr.") });
  });

  it("rejects a forged token", async () => {
    const response = await fetch(`${base}/oauth2/v1/apps/userinfo`, { method: "POST", headers: { authorization: "Bearer eyJhbGciOiJub25lIn0.e30." } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: "invalid_token" });
  });
});

describe("revocation", () => {
  async function revocationCounts(): Promise<Record<string, number>> {
    return (await get(`${base}/debug/revocations`)).json();
  }

  it("revokes a refresh token and counts it", async () => {
    const tokens = await obtainTokens();
    const before = await revocationCounts();

    const revoke = await postForm(
      `${base}/oauth2/v1/apps/revoke`,
      new URLSearchParams({ token: tokens.refresh_token as string, client_id: clientId, client_secret: clientSecret }),
    );
    expect(revoke.status).toBe(200);

    const after = await revocationCounts();
    expect(after.total).toBeGreaterThanOrEqual((before.total ?? 0) + 1);
    expect(after.refreshTokens).toBeGreaterThanOrEqual((before.refreshTokens ?? 0) + 1);

    const refresh = await postToken({ grant_type: "refresh_token", refresh_token: tokens.refresh_token as string });
    expect(await refresh.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("revokes an access token so userinfo rejects it", async () => {
    const tokens = await obtainTokens();
    const revoke = await postForm(
      `${base}/oauth2/v1/apps/revoke`,
      new URLSearchParams({ token: tokens.access_token as string, token_type_hint: "access_token", client_id: clientId, client_secret: clientSecret }),
    );
    expect(revoke.status).toBe(200);
    const info = await fetch(`${base}/oauth2/v1/apps/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(info.status).toBe(401);
  });

  it("answers 200 for an unknown token", async () => {
    const revoke = await postForm(`${base}/oauth2/v1/apps/revoke`, new URLSearchParams({ token: "garbage", client_id: clientId, client_secret: clientSecret }));
    expect(revoke.status).toBe(200);
  });

  it("requires client authentication", async () => {
    const revoke = await postForm(`${base}/oauth2/v1/apps/revoke`, new URLSearchParams({ token: "garbage", client_id: clientId }));
    expect(revoke.status).toBe(401);
  });
});

describe("EHR launch", () => {
  const launchScope = "launch openid fhirUser patient/*.rs";

  it("carries the launch context into the token response", async () => {
    const patient = await firstPatientId();
    const launch = await launchTokenFromEhr({ patient, need_patient_banner: "false", intent: "reconcile-medications" });
    const body = await obtainTokens({ scope: launchScope, extra: { launch } });

    expect(body.patient).toBe(patient);
    expect(body.need_patient_banner).toBe(false);
    expect(body.smart_style_url).toBe(`${appUrl}/sandbox/ehr/smart-style.json`);
    expect(body.intent).toBe("reconcile-medications");
    const { payload } = await jwtVerify(body.access_token as string, authServerKeys, { issuer });
    expect(payload.patient).toBe(patient);
  });

  it("gives no launch context when the launch scope is unticked", async () => {
    const launch = await launchTokenFromEhr({ patient: await firstPatientId() });
    const body = await obtainTokens({ scope: launchScope, extra: { launch } }, { untick: ["launch"] });
    expect(body.patient).toBeUndefined();
  });

  it("rejects a tampered launch token", async () => {
    const launch = await launchTokenFromEhr({ patient: await firstPatientId() });
    const tampered = `${launch.slice(0, -4)}AAAA`;
    const target = location(await get(authorizeUrl({ scope: launchScope, extra: { launch: tampered } })));
    expectRedirectError(target, "invalid_request");
    expect(target.searchParams.get("error_description")).toContain("launch");
  });

  it("rejects a launch token for another FHIR server", async () => {
    const launch = await launchTokenFromEhr({ patient: await firstPatientId() });
    const target = location(await get(authorizeUrl({ scope: launchScope, extra: { launch, aud: "https://fhir.example/r4" } })));
    expectRedirectError(target, "invalid_target");
  });
});

describe("simulated errors", () => {
  const launchScope = "launch openid fhirUser patient/*.rs";

  async function launchWith(simError: string): Promise<string> {
    return launchTokenFromEhr({ patient: await firstPatientId(), sim_error: simError });
  }

  it("auth_invalid_client shows the invalid-client page", async () => {
    const response = await get(authorizeUrl({ scope: launchScope, extra: { launch: await launchWith("auth_invalid_client") } }));
    expect(response.status).toBe(401);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toContain("invalid_client");
  });

  it("auth_consent_denied redirects with access_denied after sign-in", async () => {
    const login = await signIn(authorizeUrl({ scope: launchScope, state: "sim-state", extra: { launch: await launchWith("auth_consent_denied") } }));
    expect(login.status).toBe(303);
    const target = location(login);
    expect(target.origin + target.pathname).toBe(redirectUri);
    expectRedirectError(target, "access_denied");
    expect(target.searchParams.get("state")).toBe("sim-state");
  });

  it("token_server_error fails the token request with 500", async () => {
    const pkce = newPkce();
    const callback = await authorizeAndConsent(authorizeUrl({ pkce, scope: launchScope, extra: { launch: await launchWith("token_server_error") } }));
    const response = await exchangeCode(callback.searchParams.get("code") ?? "", pkce);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: "server_error" });
  });

  it("token_refresh_error rejects the refresh", async () => {
    const body = await obtainTokens({ scope: `${launchScope} online_access`, extra: { launch: await launchWith("token_refresh_error") } });
    expect(body.refresh_token).toEqual(expect.any(String));

    const response = await postToken({ grant_type: "refresh_token", refresh_token: body.refresh_token as string });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("fhir_token_expired marks the access token", async () => {
    const body = await obtainTokens({ scope: launchScope, extra: { launch: await launchWith("fhir_token_expired") } });
    const { payload } = await jwtVerify(body.access_token as string, authServerKeys, { issuer });
    expect(payload.sim_error).toBe("fhir_token_expired");
  });
});

describe("openid-client as a generic client", () => {
  it("runs discovery, the code flow with PKCE and nonce, refresh and userinfo", async () => {
    const config = await oidc.discovery(new URL(issuer), publicClientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    expect(config.serverMetadata().issuer).toBe(issuer);

    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: publicRedirectUri,
      scope: "openid fhirUser offline_access patient/*.rs",
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      nonce,
      state,
    });
    const callback = await authorizeAndConsent(url);
    expect(callback.origin + callback.pathname).toBe(publicRedirectUri);

    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
    const claims = tokens.claims();
    expect(claims?.sub).toBe("sandbox-practitioner");
    expect(claims?.fhirUser).toBe("Practitioner/sandbox-practitioner");
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? "");
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    const userInfo = await oidc.fetchUserInfo(config, refreshed.access_token, claims?.sub ?? "");
    expect(userInfo).toMatchObject({ sub: "sandbox-practitioner", fhirUser: "Practitioner/sandbox-practitioner" });
  });
});
