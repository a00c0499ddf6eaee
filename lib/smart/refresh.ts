import * as oauth from "oauth4webapi";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { getAuthorizationServer } from "@/lib/oauth/authorization-server";
import { getAuthorizationServerKeySet, verifyAccessToken } from "@/lib/oauth/verify-tokens";
import type { LaunchRecord, TokenSet } from "@/lib/session/launch-record";

/** Refresh this long before expiry, so a request does not start with a token that expires on the way. */
export const REFRESH_MARGIN_MS = 60_000;

/** Return true when the access token expires within the refresh margin and a refresh token exists. */
export function needsRefresh(tokens: TokenSet, now: number = Date.now()): boolean {
  return Boolean(tokens.refreshToken) && tokens.expiresAt - now < REFRESH_MARGIN_MS;
}

/**
 * Build the token set after a refresh (SMART App Launch 2.2, "Refresh access
 * token"): a new refresh token replaces the old one, a response without one
 * keeps the old one, and a missing `scope` keeps the granted scope. A refresh
 * token is used whatever scopes were granted, even without `offline_access`.
 */
export function nextTokenSet(previous: TokenSet, response: oauth.TokenEndpointResponse, now: number = Date.now()): TokenSet {
  const expiresIn = typeof response.expires_in === "number" ? response.expires_in : undefined;
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? previous.refreshToken,
    tokenType: response.token_type,
    scope: response.scope ?? previous.scope,
    expiresAt: expiresIn !== undefined ? now + expiresIn * 1000 : previous.expiresAt,
  };
}

/**
 * Return true for a token request that failed without a response from the
 * authorization server about the grant: a network error, a timeout, or a 5xx
 * status. oauth4webapi 3.8 raises ResponseBodyError only for the JSON error
 * body of a 4xx response.
 */
export function isTransientFailure(cause: unknown): boolean {
  if (cause instanceof oauth.ResponseBodyError) return false;
  if (cause instanceof oauth.OperationProcessingError && cause.code === oauth.RESPONSE_IS_NOT_CONFORM) {
    return cause.cause instanceof Response && cause.cause.status >= 500;
  }
  return cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError" || cause instanceof TypeError);
}

async function requestRefresh(record: LaunchRecord): Promise<TokenSet> {
  const previous = record.tokens!;
  const handle = await getAuthorizationServer();

  let response: oauth.TokenEndpointResponse;
  try {
    const httpResponse = await oauth.refreshTokenGrantRequest(handle.as, handle.client, handle.clientAuth, previous.refreshToken!, {
      additionalParameters: { resource: record.iss },
      ...handle.requestOptions(),
    });
    response = await oauth.processRefreshTokenResponse(handle.as, handle.client, httpResponse);
  } catch (cause) {
    const detail = cause instanceof oauth.ResponseBodyError ? `error "${cause.error}"` : cause instanceof Error ? cause.message : String(cause);
    // A retry can pass after an outage, but not after the server rejected the refresh token.
    throw new AppError(isTransientFailure(cause) ? "authorization_server_unavailable" : "refresh_failed", `Refresh failed: ${detail}`, { cause });
  }

  const keySet = getAuthorizationServerKeySet(handle.as.jwks_uri!, getConfig().fhirTimeoutMs);
  const claims = await verifyAccessToken(response.access_token, { issuer: handle.as.issuer, fhirBase: record.iss, keySet });
  const tokens = nextTokenSet(previous, response);
  if (!response.expires_in && claims.exp) tokens.expiresAt = claims.exp * 1000;
  return tokens;
}

/**
 * Refreshes under way, by launch id. Parallel requests of one launch share one
 * refresh, because with rotation a second use of the same refresh token fails.
 * NOTE: this works within one server instance only; two instances refreshing
 * the same launch at once can still race.
 */
const inFlight = new Map<string, Promise<TokenSet>>();

/** Refresh the launch's access token with its refresh token; throws `refresh_failed` when it cannot. */
export async function refreshLaunch(record: LaunchRecord, reason: "expiring" | "rejected", requestId: string): Promise<LaunchRecord> {
  if (!record.tokens?.refreshToken) {
    throw new AppError("refresh_failed", `Launch has no refresh token`);
  }

  let pending = inFlight.get(record.id);
  if (!pending) {
    pending = requestRefresh(record).finally(() => inFlight.delete(record.id));
    inFlight.set(record.id, pending);
  }

  const tokens = await pending;
  log.info("token.refreshed", { requestId, launchId: record.id, reason, rotated: tokens.refreshToken !== record.tokens.refreshToken });
  return { ...record, tokens };
}
