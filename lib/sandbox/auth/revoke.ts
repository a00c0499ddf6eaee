import { authenticateClient } from "./clients";
import { OAuthError } from "./errors";
import { singleParam } from "./http";
import { revocationCounts, revokedGrants, spentTokens } from "./replay";
import { openRefreshToken, verifyAccessToken } from "./tokens";

/**
 * The revocation endpoint (RFC 7009). Revoking a refresh token also revokes
 * every later rotation of it (§2.1). Revoked ids are kept in this process only,
 * so an access token stays valid at the FHIR server unless it checks
 * `isAccessTokenRevoked` in the same process.
 */

async function revokeRefreshToken(token: string, clientId: string, now: Date): Promise<boolean> {
  let refresh;
  try {
    refresh = await openRefreshToken(token, now);
  } catch {
    return false;
  }
  if (refresh.grant.clientId !== clientId) return false;

  spentTokens().markUsed(refresh.jti, refresh.exp, now);
  revokedGrants().markUsed(refresh.family, refresh.exp, now);
  revocationCounts().refreshTokens += 1;
  return true;
}

async function revokeAccessToken(token: string, clientId: string, now: Date): Promise<boolean> {
  let claims;
  try {
    claims = await verifyAccessToken(token, now);
  } catch {
    return false;
  }
  if (claims.azp !== clientId) return false;

  spentTokens().markUsed(claims.jti, claims.exp, now);
  revocationCounts().accessTokens += 1;
  return true;
}

/**
 * Process a revocation request. The client must authenticate as at the token
 * endpoint. An unknown, expired or foreign token is ignored, and the caller
 * responds with 200 either way (RFC 7009 §2.2).
 */
export async function handleRevocation(params: URLSearchParams, authorization: string | null, now: Date = new Date()): Promise<void> {
  const { client } = authenticateClient(params, authorization);
  const token = singleParam(params, "token", 16_384);
  if (token === undefined) throw new OAuthError("invalid_request", `"token" is missing`);

  // The hint only sets the order of the lookups (RFC 7009 §2.1).
  const accessFirst = singleParam(params, "token_type_hint") === "access_token";
  const attempts = accessFirst ? [revokeAccessToken, revokeRefreshToken] : [revokeRefreshToken, revokeAccessToken];
  revocationCounts().total += 1;

  for (const attempt of attempts) {
    if (await attempt(token, client.clientId, now)) return;
  }
  revocationCounts().ignored += 1;
}
