import { getConfig } from "@/lib/config";
import { verifyLaunchToken, type LaunchContext } from "@/lib/sandbox/ehr/launch-token";
import { findSandboxClient, type SandboxClient } from "./clients";
import { authServerUrls } from "./discovery";
import { errorRedirectUrl, OAuthError } from "./errors";
import { singleParam } from "./http";
import { isS256Challenge } from "./pkce";
import { parseRequestedScopes } from "./scopes";
import { seal } from "./sealed";

/**
 * The authorization endpoint (RFC 6749 §4.1.1 with PKCE, RFC 7636, and the
 * SMART App Launch 2.2 parameters `aud` and `launch`). A valid request is
 * sealed and handed to the sign-in page; see `interaction.ts` for the rest.
 */

/** An authorization request that passed every check. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  state?: string;
  nonce?: string;
  scopes: string[];
  codeChallenge: string;
  /** FHIR base the tokens will be for. */
  audience: string;
  loginHint?: string;
  /** Context from a verified EHR launch token; absent on a standalone launch. */
  launch?: LaunchContext;
}

/** Lifetime of the sealed request between the sign-in and consent pages: enough to read and tick a page of scopes. */
export const PENDING_REQUEST_TTL_SECONDS = 10 * 60;

interface RedirectTarget {
  client: SandboxClient;
  redirectUri: string;
}

/**
 * Check `client_id` and `redirect_uri` before anything else. Until both are
 * known, an error must be shown to the user instead of being sent to the
 * redirect URI (RFC 6749 §4.1.2.1).
 */
function checkRedirectTarget(params: URLSearchParams): RedirectTarget {
  const clientId = singleParam(params, "client_id");
  if (clientId === undefined) throw new OAuthError("invalid_request", `"client_id" is missing`);

  const client = findSandboxClient(clientId);
  if (!client) throw new OAuthError("invalid_client", `"client_id" is not a registered client of the sandbox`);

  const redirectUri = singleParam(params, "redirect_uri");
  if (redirectUri === undefined) throw new OAuthError("invalid_request", `"redirect_uri" is missing`);
  if (!client.redirectUris.includes(redirectUri)) {
    throw new OAuthError("invalid_request", `"redirect_uri" is not registered for this client; it must match a registered URI exactly`, {
      status: 401,
      cause: { registered: client.redirectUris, actual: redirectUri },
    });
  }
  return { client, redirectUri };
}

function checkResponseType(params: URLSearchParams): void {
  const responseType = singleParam(params, "response_type");
  if (responseType === undefined) throw new OAuthError("invalid_request", `"response_type" is missing: send "code"`);
  if (responseType !== "code") throw new OAuthError("unsupported_response_type", `"response_type" must be "code", got "${responseType}"`);
}

function readCodeChallenge(params: URLSearchParams): string {
  const challenge = singleParam(params, "code_challenge");
  const method = singleParam(params, "code_challenge_method");
  if (challenge === undefined) throw new OAuthError("invalid_request", `"code_challenge" is missing: PKCE with S256 is required`);
  if (method !== "S256") throw new OAuthError("invalid_request", `"code_challenge_method" must be "S256", got "${method ?? "none"}"`);
  if (!isS256Challenge(challenge)) throw new OAuthError("invalid_request", `"code_challenge" must be 43 base64url characters`);
  return challenge;
}

// SMART sends the FHIR base exactly as the EHR gave it; a trailing slash is the only difference tolerated.
function sameBase(left: string, right: string): boolean {
  return left.replace(/\/$/, "") === right.replace(/\/$/, "");
}

/**
 * Return the FHIR base of the request from `aud` (SMART) and `resource`
 * (RFC 8707), which must agree; the sandbox FHIR base when neither is sent.
 */
function readAudience(params: URLSearchParams): string {
  const fhirBase = getConfig().sandbox.fhirBase;
  const aud = singleParam(params, "aud");
  const resource = singleParam(params, "resource");
  if (aud !== undefined && resource !== undefined && !sameBase(aud, resource)) {
    throw new OAuthError("invalid_request", `"aud" and "resource" name different servers`, { cause: { aud, resource } });
  }

  const requested = aud ?? resource;
  if (requested !== undefined && !sameBase(requested, fhirBase)) {
    throw new OAuthError("invalid_target", `"${aud !== undefined ? "aud" : "resource"}" must be the sandbox FHIR base "${fhirBase}"`, {
      cause: { expected: fhirBase, actual: requested },
    });
  }
  return fhirBase;
}

/** Verify the `launch` parameter of an EHR launch and return its context. */
async function readLaunch(params: URLSearchParams, scopes: string[], audience: string, now: Date): Promise<LaunchContext | undefined> {
  const launch = singleParam(params, "launch", 8192);
  if (launch === undefined) {
    if (scopes.includes("launch")) throw new OAuthError("invalid_request", `"launch" is missing, but the "launch" scope asks for EHR launch context`);
    return undefined;
  }

  const claims = await verifyLaunchToken(launch, audience, now);
  const { iss: _iss, aud: _aud, jti: _jti, iat: _iat, exp: _exp, ...context } = claims;
  return context;
}

function checkPrompt(params: URLSearchParams): void {
  const prompt = (singleParam(params, "prompt") ?? "").split(" ");
  // The sandbox keeps no sign-in session, so it can never skip the sign-in page (OpenID Connect Core §3.1.2.6).
  if (prompt.includes("none")) throw new OAuthError("login_required", `"prompt=none" cannot be honoured: the sandbox always asks the user to sign in`);
}

async function readAuthorizationRequest(params: URLSearchParams, target: RedirectTarget, now: Date): Promise<AuthorizationRequest> {
  checkResponseType(params);
  const codeChallenge = readCodeChallenge(params);
  const scopes = parseRequestedScopes(singleParam(params, "scope"));
  const audience = readAudience(params);
  const launch = await readLaunch(params, scopes, audience, now);
  checkPrompt(params);

  return {
    clientId: target.client.clientId,
    redirectUri: target.redirectUri,
    state: singleParam(params, "state", 1024),
    nonce: singleParam(params, "nonce", 1024),
    scopes,
    codeChallenge,
    audience,
    loginHint: singleParam(params, "login_hint", 256),
    launch,
  };
}

/** Return the URL of the sign-in page for a sealed request. */
export function loginPageUrl(sealedRequest: string): string {
  const url = new URL(authServerUrls().login);
  url.searchParams.set("request", sealedRequest);
  return url.toString();
}

/**
 * Process an authorization request and return where to send the browser:
 * the sign-in page, or the client's redirect URI with an error.
 * Throws OAuthError when the client or redirect URI is not registered, or when
 * the launch simulates an invalid client: the caller renders it as a page.
 */
export async function authorize(params: URLSearchParams, now: Date = new Date()): Promise<string> {
  const target = checkRedirectTarget(params);
  const issuer = authServerUrls().issuer;

  let request: AuthorizationRequest;
  try {
    request = await readAuthorizationRequest(params, target, now);
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    const state = params.getAll("state").length === 1 ? (params.get("state") ?? undefined) : undefined;
    return errorRedirectUrl(target.redirectUri, error, state, issuer);
  }

  if (request.launch?.sim_error === "auth_invalid_client") {
    throw new OAuthError("invalid_client", `Simulated error "auth_invalid_client": the sandbox rejects this client for this launch`);
  }

  const sealed = await seal("consent-state", "login", { request }, PENDING_REQUEST_TTL_SECONDS, now);
  return loginPageUrl(sealed);
}
