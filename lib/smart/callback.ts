import { timingSafeEqual } from "node:crypto";
import * as oauth from "oauth4webapi";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { getAuthorizationServer, type AuthorizationServerHandle } from "@/lib/oauth/authorization-server";
import { getAuthorizationServerKeySet, verifyAccessToken, verifyIdToken, type AccessTokenClaims, type IdTokenClaims } from "@/lib/oauth/verify-tokens";
import type { LaunchRecord, SmartContext, TokenSet } from "@/lib/session/launch-record";
import { hasScope, splitScopes } from "./scopes";

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Return true when `state` is the pending state of `record`, compared in constant time. */
export function matchesPendingState(record: LaunchRecord, state: string | null): boolean {
  return Boolean(record.pending && state && sameText(state, record.pending.state));
}

/**
 * Check the authorization response against the pending launch: `state` equal,
 * not expired, an `iss` parameter (RFC 9207) equal to the authorization
 * server's issuer, then no `error` and a `code`. Returns the parameters for
 * the code exchange.
 */
function checkAuthorizationResponse(handle: AuthorizationServerHandle, params: URLSearchParams, record: LaunchRecord): URLSearchParams {
  const pending = record.pending;
  if (!pending || !matchesPendingState(record, params.get("state"))) {
    throw new AppError("unknown_launch_state", `Parameter "state" does not match a pending launch`, { cause: { launchId: record.id } });
  }
  if (pending.expiresAt < Date.now()) {
    throw new AppError("unknown_launch_state", `The pending launch expired`, { cause: { launchId: record.id, expiredAt: pending.expiresAt } });
  }

  let checked: URLSearchParams;
  try {
    // oauth4webapi checks `iss` and `state` before it reports an `error`, so
    // only the authorization server can end a launch with its own message.
    checked = oauth.validateAuthResponse(handle.as, handle.client, params, pending.state);
  } catch (cause) {
    if (cause instanceof oauth.AuthorizationResponseError) {
      const code = cause.error === "access_denied" ? "authorization_denied" : "authorization_error";
      throw new AppError(code, `Authorization server returned error "${cause.error.slice(0, 64)}"`, { publicDetail: cause.error_description ?? cause.error });
    }
    throw new AppError("authorization_error", `Authorization response rejected: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }

  if (!checked.get("code")) throw new AppError("authorization_error", `Authorization response lacks parameter "code"`);
  return checked;
}

async function carriesIdToken(response: Response): Promise<boolean> {
  try {
    const body = (await response.clone().json()) as { id_token?: unknown };
    return typeof body?.id_token === "string";
  } catch {
    return false;
  }
}

async function exchangeCode(handle: AuthorizationServerHandle, params: URLSearchParams, record: LaunchRecord): Promise<oauth.TokenEndpointResponse> {
  const pending = record.pending!;
  try {
    const response = await oauth.authorizationCodeGrantRequest(
      handle.as,
      handle.client,
      handle.clientAuth,
      params,
      getConfig().redirectUri,
      pending.codeVerifier,
      { additionalParameters: { resource: record.iss }, ...handle.requestOptions() },
    );
    // The user may refuse `openid` on the consent page, and then no id token
    // comes back. oauth4webapi requires one whenever a nonce is expected, so
    // the nonce is expected only when the response carries an id token.
    const withIdToken = await carriesIdToken(response);
    return await oauth.processAuthorizationCodeResponse(handle.as, handle.client, response, {
      expectedNonce: withIdToken ? pending.nonce : oauth.expectNoNonce,
      requireIdToken: false,
    });
  } catch (cause) {
    const detail = cause instanceof oauth.ResponseBodyError ? `error "${cause.error}"` : cause instanceof Error ? cause.message : String(cause);
    const publicDetail = cause instanceof oauth.ResponseBodyError ? cause.error_description : undefined;
    // invalid_grant means this code cannot be redeemed (RFC 6749, section 5.2); a new sign-in can be.
    const code = cause instanceof oauth.ResponseBodyError && cause.error === "invalid_grant" ? "authorization_code_rejected" : "token_exchange_failed";
    throw new AppError(code, `Token request failed: ${detail}`, { cause, publicDetail });
  }
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function flag(value: unknown): boolean | undefined {
  return typeof value === "boolean" ? value : undefined;
}

/** Return the Patient id of a patient user's `fhirUser` (`Patient/123` or `{base}/Patient/123`). */
export function ownPatientId(fhirUser: string | undefined): string | undefined {
  const match = fhirUser ? /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(fhirUser) : null;
  return match?.[1];
}

/**
 * Merge SMART context from, in order of precedence, the token response, the
 * access token's claims (a Descope JWT template can add `patient` and
 * `fhirUser`), the id token, and the EHR's launch context. A patient user
 * without a patient in context gets their own record, never a picker.
 *
 * `fhirUser` is used only when `grantedScope` lists it, because the tokens and
 * the EHR's launch token may name the user even when the user denied that scope.
 */
export function mergeContext(
  response: Record<string, unknown>,
  claims: AccessTokenClaims,
  idClaims: IdTokenClaims | undefined,
  launch: SmartContext,
  grantedScope: string,
): SmartContext {
  const namedUser = text(response.fhirUser) ?? text(claims.fhirUser) ?? text(idClaims?.fhirUser) ?? launch.fhirUser;
  const fhirUser = hasScope(grantedScope, "fhirUser") ? namedUser : undefined;
  return {
    patient: text(response.patient) ?? text(claims.patient) ?? launch.patient ?? ownPatientId(fhirUser),
    encounter: text(response.encounter) ?? text(claims.encounter) ?? launch.encounter,
    fhirUser,
    fhirContext: Array.isArray(response.fhirContext) ? (response.fhirContext as SmartContext["fhirContext"]) : undefined,
    needPatientBanner: flag(response.need_patient_banner) ?? launch.needPatientBanner,
    smartStyleUrl: text(response.smart_style_url) ?? launch.smartStyleUrl,
    intent: text(response.intent) ?? launch.intent,
    tenant: text(response.tenant) ?? launch.tenant,
  };
}

/**
 * Add `openid`, and `fhirUser` when the id token names the user, to a granted
 * scope that lists no identity scopes although a verified id token arrived.
 * Some servers (oidc-provider with resource indicators, for one) list only the
 * resource server's scopes in `scope`. A server that lists `openid` is taken
 * at its word about `fhirUser`.
 */
export function withIdentityScopes(scope: string, idClaims: IdTokenClaims | undefined): string {
  const scopes = splitScopes(scope);
  if (!idClaims || scopes.includes("openid")) return scopes.join(" ");

  scopes.push("openid");
  if (text(idClaims.fhirUser) && !scopes.includes("fhirUser")) scopes.push("fhirUser");
  return scopes.join(" ");
}

/**
 * Complete a launch from its authorization response: check it, exchange the
 * code with the PKCE verifier, verify both tokens with jose against the
 * issuer's JWKS, and return the launch with its tokens and context and
 * without its one-time state.
 */
export async function completeAuthorization(params: URLSearchParams, record: LaunchRecord): Promise<LaunchRecord> {
  const config = getConfig();
  const handle = await getAuthorizationServer();
  const checked = checkAuthorizationResponse(handle, params, record);
  const response = await exchangeCode(handle, checked, record);

  const keySet = getAuthorizationServerKeySet(handle.as.jwks_uri!, config.fhirTimeoutMs);
  const claims = await verifyAccessToken(response.access_token, { issuer: handle.as.issuer, fhirBase: record.iss, keySet });
  const idClaims = response.id_token
    ? await verifyIdToken(response.id_token, { issuer: handle.as.issuer, clientId: config.authServer.clientId, nonce: record.pending!.nonce, keySet })
    : undefined;

  const expiresIn = typeof response.expires_in === "number" ? response.expires_in : undefined;
  const grantedScope = response.scope ?? (typeof claims.scope === "string" ? claims.scope : "");
  const tokens: TokenSet = {
    accessToken: response.access_token,
    refreshToken: response.refresh_token,
    tokenType: response.token_type,
    scope: withIdentityScopes(grantedScope, idClaims),
    expiresAt: expiresIn !== undefined ? Date.now() + expiresIn * 1000 : (claims.exp ?? 0) * 1000,
  };

  // The launch context is merged into `context`; dropping it keeps the cookie small.
  return {
    ...record,
    launchContext: {},
    pending: undefined,
    tokens,
    context: mergeContext(response as Record<string, unknown>, claims, idClaims, record.launchContext, tokens.scope),
    userName: text(idClaims?.name),
  };
}
