import { randomUUID } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { getConfig } from "@/lib/config";
import type { SandboxAccessTokenClaims } from "@/lib/sandbox/contracts";
import { getSandboxSigningKey } from "@/lib/sandbox/keys";
import { authServerUrls } from "./discovery";
import { OAuthError } from "./errors";
import type { Grant } from "./grant";
import { isAccessTokenRevoked } from "./replay";
import { seal, unseal, type SealedClaims } from "./sealed";

/**
 * Tokens of the sandbox authorization server: RS256 access and ID tokens
 * signed with the authorization-server key, and sealed refresh tokens.
 */

/** Refresh token lifetimes. `online_access` lasts a working day; `offline_access` a month, like a typical EHR policy. */
export const REFRESH_TOKEN_TTL_SECONDS = { online_access: 12 * 60 * 60, offline_access: 30 * 24 * 60 * 60 } as const;

/** Contents of a refresh token. */
export interface RefreshToken extends SealedClaims {
  grant: Grant;
  /** `jti` of the authorization code the grant started from; revoking it revokes every rotation of the token. */
  family: string;
}

function epochSeconds(now: Date): number {
  return Math.floor(now.getTime() / 1000);
}

/**
 * Sign an access token for `grant` limited to `scopes`, with the claims of
 * {@link SandboxAccessTokenClaims}: `aud` is the project id, the client id and
 * the FHIR base, as in a Descope Inbound App token that names a resource.
 */
export async function signAccessToken(grant: Grant, scopes: string[], now: Date = new Date()): Promise<{ token: string; claims: SandboxAccessTokenClaims }> {
  const config = getConfig();
  const key = getSandboxSigningKey("authorization-server");
  const issuedAt = epochSeconds(now);
  const claims: SandboxAccessTokenClaims = {
    iss: config.authServer.issuer,
    sub: grant.sub,
    aud: [config.authServer.projectId, grant.clientId, grant.audience],
    azp: grant.clientId,
    scope: scopes.join(" "),
    iat: issuedAt,
    exp: issuedAt + config.sandbox.accessTokenTtlSeconds,
    jti: randomUUID(),
    fhirUser: grant.fhirUser,
    patient: grant.context.patient,
    // Only this simulated error concerns the FHIR server, which rejects the token as expired.
    sim_error: grant.simError === "fhir_token_expired" ? grant.simError : undefined,
  };
  const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" }).sign(key.privateKey);
  return { token, claims };
}

/** Sign an OpenID Connect ID token for `grant` (OpenID Connect Core §2). */
export async function signIdToken(grant: Grant, nonce: string | undefined, now: Date = new Date()): Promise<string> {
  const config = getConfig();
  const key = getSandboxSigningKey("authorization-server");
  const issuedAt = epochSeconds(now);
  return new SignJWT({ nonce, auth_time: grant.authTime, azp: grant.clientId, fhirUser: grant.fhirUser, name: grant.name })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
    .setIssuer(config.authServer.issuer)
    .setSubject(grant.sub)
    .setAudience(grant.clientId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + config.sandbox.accessTokenTtlSeconds)
    .sign(key.privateKey);
}

/**
 * Verify an access token issued here: signature, issuer and expiry, and that
 * this process has not seen it revoked. Throws `invalid_token` (RFC 6750 §3.1).
 */
export async function verifyAccessToken(token: string, now: Date = new Date()): Promise<SandboxAccessTokenClaims> {
  let claims: SandboxAccessTokenClaims;
  try {
    const result = await jwtVerify<SandboxAccessTokenClaims>(token, getSandboxSigningKey("authorization-server").publicKey, {
      algorithms: ["RS256"],
      issuer: authServerUrls().issuer,
      requiredClaims: ["sub", "jti", "exp"],
      currentDate: now,
    });
    claims = result.payload;
  } catch (error) {
    const expired = error instanceof joseErrors.JWTExpired;
    throw new OAuthError("invalid_token", `The access token is ${expired ? "expired" : "invalid"}`, { cause: error });
  }

  if (isAccessTokenRevoked(claims.jti)) throw new OAuthError("invalid_token", "The access token was revoked");
  return claims;
}

/** Return the lifetime of a refresh token for `scopes`, or undefined when they ask for none. */
export function refreshTokenTtl(scopes: string[]): number | undefined {
  if (scopes.includes("offline_access")) return REFRESH_TOKEN_TTL_SECONDS.offline_access;
  if (scopes.includes("online_access")) return REFRESH_TOKEN_TTL_SECONDS.online_access;
  return undefined;
}

/** Seal a refresh token for `grant`, or return undefined when the grant has no refresh scope. */
export async function sealRefreshToken(grant: Grant, family: string, now: Date = new Date()): Promise<string | undefined> {
  const ttl = refreshTokenTtl(grant.scopes);
  if (ttl === undefined) return undefined;
  return seal("refresh-tokens", "refresh", { grant, family }, ttl, now);
}

/** Open a refresh token; throws `errorCode` (default `invalid_grant`) when it is invalid or expired. */
export function openRefreshToken(token: string | undefined, now?: Date, errorCode: "invalid_grant" | "invalid_request" = "invalid_grant"): Promise<RefreshToken> {
  return unseal<RefreshToken>(token, { purpose: "refresh-tokens", kind: "refresh", field: "refresh_token", errorCode, now });
}
