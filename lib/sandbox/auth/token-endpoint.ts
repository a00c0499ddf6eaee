import { getConfig } from "@/lib/config";
import { authenticateClient, type SandboxClient } from "./clients";
import { OAuthError } from "./errors";
import type { Grant } from "./grant";
import { singleParam } from "./http";
import type { AuthorizationCode } from "./interaction";
import { verifyS256 } from "./pkce";
import { revokedGrants, spentTokens } from "./replay";
import { narrowScopes } from "./scopes";
import { unseal } from "./sealed";
import { openRefreshToken, REFRESH_TOKEN_TTL_SECONDS, sealRefreshToken, signAccessToken, signIdToken } from "./tokens";

/**
 * The token endpoint (RFC 6749 §3.2): the `authorization_code` grant with
 * PKCE and the `refresh_token` grant with rotation. The response carries the
 * SMART launch context beside the tokens.
 */

/** Successful token response (RFC 6749 §5.1, SMART App Launch 2.2 "Response to access token request"). */
export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  scope: string;
  id_token?: string;
  refresh_token?: string;
  patient?: string;
  encounter?: string;
  need_patient_banner?: boolean;
  smart_style_url?: string;
  intent?: string;
}

interface IssueOptions {
  nonce?: string;
  /** `jti` of the code the grant started from. */
  family: string;
  now: Date;
}

async function issueTokens(grant: Grant, scopes: string[], options: IssueOptions): Promise<TokenResponse> {
  const { token: accessToken } = await signAccessToken(grant, scopes, options.now);
  const idToken = scopes.includes("openid") ? await signIdToken(grant, options.nonce, options.now) : undefined;
  // RFC 6749 §6: a rotated refresh token keeps the scope of the grant, even when this access token was narrowed.
  const refreshToken = await sealRefreshToken(grant, options.family, options.now);

  return {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: getConfig().sandbox.accessTokenTtlSeconds,
    scope: scopes.join(" "),
    id_token: idToken,
    refresh_token: refreshToken,
    ...grant.context,
  };
}

function checkResource(params: URLSearchParams, grant: Grant): void {
  const resource = singleParam(params, "resource");
  if (resource !== undefined && resource.replace(/\/$/, "") !== grant.audience.replace(/\/$/, "")) {
    throw new OAuthError("invalid_target", `"resource" must be the FHIR base of the grant, "${grant.audience}"`);
  }
}

/** Exchange an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.6). */
async function exchangeCode(params: URLSearchParams, client: SandboxClient, now: Date): Promise<TokenResponse> {
  const code = await unseal<AuthorizationCode>(singleParam(params, "code", 16_384), {
    purpose: "authorization-codes",
    kind: "code",
    field: "code",
    errorCode: "invalid_grant",
    now,
  });

  if (code.grant.clientId !== client.clientId) throw new OAuthError("invalid_grant", `"code" was issued to another client`);
  if (singleParam(params, "redirect_uri") !== code.redirectUri) {
    throw new OAuthError("invalid_grant", `"redirect_uri" differs from the one in the authorization request`);
  }
  if (!verifyS256(singleParam(params, "code_verifier"), code.codeChallenge)) {
    throw new OAuthError("invalid_grant", `"code_verifier" is missing or does not match the "code_challenge" of the authorization request`);
  }
  checkResource(params, code.grant);

  if (code.grant.simError === "token_server_error") {
    throw new OAuthError("server_error", `Simulated error "token_server_error": the token endpoint failed`);
  }

  if (!spentTokens().markUsed(code.jti, code.exp, now)) {
    // RFC 6749 §4.1.2: a replayed code should revoke what the first exchange issued.
    revokedGrants().markUsed(code.jti, Math.floor(now.getTime() / 1000) + REFRESH_TOKEN_TTL_SECONDS.offline_access, now);
    throw new OAuthError("invalid_grant", `"code" was already used`);
  }
  return issueTokens(code.grant, code.grant.scopes, { nonce: code.nonce, family: code.jti, now });
}

/** Refresh an access token and rotate the refresh token (RFC 6749 §6). */
async function refresh(params: URLSearchParams, client: SandboxClient, now: Date): Promise<TokenResponse> {
  const token = await openRefreshToken(singleParam(params, "refresh_token", 16_384), now);

  if (token.grant.clientId !== client.clientId) throw new OAuthError("invalid_grant", `"refresh_token" was issued to another client`);
  if (revokedGrants().has(token.family, now)) throw new OAuthError("invalid_grant", `"refresh_token" was revoked`);
  if (token.grant.simError === "token_refresh_error") {
    throw new OAuthError("invalid_grant", `Simulated error "token_refresh_error": the refresh token is no longer valid`);
  }
  const scopes = narrowScopes(token.grant.scopes, singleParam(params, "scope"));
  checkResource(params, token.grant);

  if (!spentTokens().markUsed(token.jti, token.exp, now)) {
    throw new OAuthError("invalid_grant", `"refresh_token" was already used or revoked: use the newest refresh token`);
  }
  return issueTokens(token.grant, scopes, { family: token.family, now });
}

/**
 * Process a token request whose body was parsed into `params`, with the
 * request's `Authorization` header. Throws OAuthError, which the route
 * renders as RFC 6749 §5.2 JSON.
 */
export async function handleTokenRequest(params: URLSearchParams, authorization: string | null, now: Date = new Date()): Promise<TokenResponse> {
  const grantType = singleParam(params, "grant_type");
  if (grantType === undefined) throw new OAuthError("invalid_request", `"grant_type" is missing`);

  const { client } = authenticateClient(params, authorization);
  if (grantType === "authorization_code") return exchangeCode(params, client, now);
  if (grantType === "refresh_token") return refresh(params, client, now);
  throw new OAuthError("unsupported_grant_type", `"grant_type" must be "authorization_code" or "refresh_token", got "${grantType}"`);
}
