import { createHash, randomBytes } from "node:crypto";

/**
 * The sandbox's sign-in and consent steps, and whole launches, driven over
 * HTTP the way a browser would, as test/sandbox-auth.test.ts does. Nothing
 * here is timed: these helpers prepare launch tokens, codes and cookies.
 */

/** Client id and redirect URI of the sandbox's public client; the bench reads the redirect from `Location` and never serves it. */
export const PUBLIC_CLIENT_ID = "sandbox-public-client";
export const PUBLIC_REDIRECT_URI = "http://127.0.0.1/callback";

/** Scopes the app requests on an EHR launch (lib/config.ts DEFAULT_SCOPES); the reference app requests the same. */
export const EHR_SCOPES = "launch openid fhirUser patient/*.rs";

function decodeHtml(text) {
  return text.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
}

/** Return the attributes of every `<input>` and `<button>` in `html`. */
function tags(html, names = "input|button") {
  return [...html.matchAll(new RegExp(`<(${names})\\b([^>]*)>`, "g"))].map((tag) =>
    Object.fromEntries([...(tag[2] ?? "").matchAll(/([\w-]+)="([^"]*)"/g)].map((attribute) => [attribute[1], decodeHtml(attribute[2] ?? "")])),
  );
}

function inputValues(html, name) {
  return tags(html).filter((control) => control.name === name).map((control) => control.value ?? "");
}

function location(response, from) {
  const header = response.headers.get("location");
  if (!header) throw new Error(`expected a redirect from ${from}, got ${response.status}`);
  return new URL(header, from);
}

/** A cookie jar for one simulated browser: name → value, no attributes. */
export class CookieJar {
  cookies = new Map();

  store(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const separator = pair.indexOf("=");
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      if (value === "" || /max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

export async function get(url, jar) {
  const headers = jar && jar.cookies.size > 0 ? { cookie: jar.header() } : {};
  const response = await fetch(url, { redirect: "manual", headers });
  jar?.store(response);
  return response;
}

async function postForm(url, form) {
  return fetch(url, { method: "POST", body: form, redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" } });
}

/** Return the sandbox patients listed by the EHR as [{ id, label }]. */
export async function listEhrPatients(ehrUrl) {
  const html = await (await get(`${ehrUrl}/sandbox/ehr`)).text();
  return tags(html, "button")
    .filter((button) => button.name === "patient")
    .map((button) => ({ id: button.value, label: button["aria-label"] ?? "" }));
}

/**
 * Ask the EHR to open the app for `patientId`, as its frame does, and return
 * the app launch URL it redirects to (with `iss` and a fresh, single-use `launch` token).
 */
export async function ehrLaunchUrl(ehrUrl, patientId) {
  const openUrl = `${ehrUrl}/sandbox/ehr/open?${new URLSearchParams({ patient: patientId })}`;
  const response = await get(openUrl);
  if (response.status !== 303) throw new Error(`${openUrl} returned ${response.status}: ${(await response.text()).slice(0, 500)}`);
  return location(response, openUrl);
}

/** Send an authorization request and return the sign-in page URL it redirects to. */
export async function signInPageUrl(authorizeUrl) {
  const authorize = await get(authorizeUrl);
  if (authorize.status !== 303) throw new Error(`authorize returned ${authorize.status}: ${(await authorize.text()).slice(0, 500)}`);
  return location(authorize, authorizeUrl);
}

/** Sign in on the sign-in page as the suggested user (the first button, the practitioner here) and return the consent page URL. */
export async function signIn(loginUrl) {
  const loginHtml = await (await get(loginUrl)).text();
  const [request] = inputValues(loginHtml, "request");
  const [user] = inputValues(loginHtml, "user");
  const login = await postForm(new URL("/sandbox/descope/login/submit", loginUrl), new URLSearchParams({ request, user }));
  if (login.status !== 303) throw new Error(`sign-in returned ${login.status}: ${(await login.text()).slice(0, 500)}`);
  return location(login, loginUrl);
}

/** Allow every scope on the consent page and return the redirect to the client with `code` and `state`. */
export async function allowAll(consentUrl) {
  const consentHtml = await (await get(consentUrl)).text();
  const form = new URLSearchParams({ request: inputValues(consentHtml, "request")[0], decision: "allow" });
  for (const scope of inputValues(consentHtml, "scope")) form.append("scope", scope);
  const consent = await postForm(new URL("/sandbox/descope/consent/submit", consentUrl), form);
  if (consent.status !== 303) throw new Error(`consent returned ${consent.status}: ${(await consent.text()).slice(0, 500)}`);
  return location(consent, consentUrl);
}

/**
 * Follow an authorization request through the sandbox's sign-in (as the
 * practitioner) and consent (every scope allowed), and return the redirect
 * to the client with `code` and `state`.
 */
export async function authorizeAndConsent(authorizeUrl) {
  return allowAll(await signIn(await signInPageUrl(authorizeUrl)));
}

/**
 * Call the app's launch URL like a browser in the EHR frame. Returns the jar
 * holding the pending launch cookie and the authorization URL the app redirected to.
 */
export async function startAppLaunch(launchUrl, jar = new CookieJar()) {
  const response = await get(launchUrl, jar);
  if (response.status !== 303) throw new Error(`/launch returned ${response.status}: ${(await response.text()).slice(0, 500)}`);
  return { jar, authorizeUrl: location(response, launchUrl) };
}

/** Complete a whole EHR launch of the app over HTTP; returns the jar with the launch cookie and the launch page URL. */
export async function completeAppLaunch(ehrUrl, patientId) {
  const { jar, authorizeUrl } = await startAppLaunch(await ehrLaunchUrl(ehrUrl, patientId));
  const callbackUrl = await authorizeAndConsent(authorizeUrl);
  const callback = await get(callbackUrl, jar);
  if (callback.status !== 303) throw new Error(`/callback returned ${callback.status}: ${(await callback.text()).slice(0, 500)}`);
  const launchPage = location(callback, callbackUrl);
  const launchId = /\/launches\/([^/?#]+)/.exec(launchPage.pathname)?.[1];
  if (!launchId) throw new Error(`/callback redirected to ${launchPage}, not to a launch page`);
  return { jar, launchId, launchPage };
}

/**
 * Run an EHR launch as the sandbox's public client (PKCE, no secret) and
 * return the token response: the same scopes and patient as the app's
 * launch, so the FHIR server does the same access checks for both.
 */
export async function publicClientTokens({ appUrl, ehrUrl, patientId }) {
  const { iss, verifier, nonce, callback } = await publicClientCode({ appUrl, ehrUrl, patientId });
  const token = await publicClientTokenRequest(appUrl, callback.searchParams.get("code"), verifier);
  if (!token.ok) throw new Error(`token endpoint returned ${token.status}: ${await token.text()}`);
  return { iss, nonce, tokens: await token.json() };
}

/** Send the public client's token request for `code`; returns the response unread. */
export async function publicClientTokenRequest(appUrl, code, verifier) {
  return postForm(
    `${appUrl}/sandbox/descope/oauth2/v1/apps/token`,
    new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: PUBLIC_REDIRECT_URI, code_verifier: verifier, client_id: PUBLIC_CLIENT_ID }),
  );
}

/** Run the public client's authorization request for an EHR launch through sign-in and consent; returns the code's redirect and the PKCE verifier. */
export async function publicClientCode({ appUrl, ehrUrl, patientId }) {
  const launchUrl = await ehrLaunchUrl(ehrUrl, patientId);
  const iss = launchUrl.searchParams.get("iss");
  const verifier = randomBytes(32).toString("base64url");
  const authorizeUrl = new URL(`${appUrl}/sandbox/descope/oauth2/v1/apps/authorize`);
  const params = {
    response_type: "code",
    client_id: PUBLIC_CLIENT_ID,
    redirect_uri: PUBLIC_REDIRECT_URI,
    scope: EHR_SCOPES,
    state: randomBytes(16).toString("base64url"),
    nonce: randomBytes(16).toString("base64url"),
    aud: iss,
    launch: launchUrl.searchParams.get("launch"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  };
  for (const [name, value] of Object.entries(params)) authorizeUrl.searchParams.set(name, value);

  const callback = await authorizeAndConsent(authorizeUrl);
  if (!callback.searchParams.get("code")) throw new Error(`no code in the redirect: ${callback}`);
  return { iss, verifier, nonce: params.nonce, callback };
}
