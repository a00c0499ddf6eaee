import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { AppError } from "@/lib/errors";

/** Algorithms accepted on tokens. Descope signs RS256; `none` and HMAC are never accepted. */
export const ACCEPTED_ALGORITHMS = ["RS256", "ES256"];

/** Leeway for `exp`, `nbf` and `iat`, for clocks that differ by a few seconds. */
export const CLOCK_TOLERANCE_SECONDS = 30;

const keySets = new Map<string, JWTVerifyGetKey>();

/**
 * Return a cached remote JWKS for `jwksUri`. jose keeps its keys for ten
 * minutes and refetches them when a token names an unknown `kid`, at most once
 * per `cooldownMs`. The 30-second default suits tokens that arrive through the
 * browser, such as EHR launch tokens, where anyone can invent a `kid`.
 */
export function getRemoteKeySet(jwksUri: string, timeoutMs: number, cooldownMs = 30_000): JWTVerifyGetKey {
  const cacheKey = `${cooldownMs} ${jwksUri}`;
  let keySet = keySets.get(cacheKey);
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: timeoutMs, cooldownDuration: cooldownMs, cacheMaxAge: 10 * 60_000 });
    keySets.set(cacheKey, keySet);
  }
  return keySet;
}

/**
 * Return the authorization server's key set. Its tokens come straight from
 * its token endpoint, so an unknown `kid` means it rotated its key, and the
 * key set is refetched at once instead of after a cooldown.
 */
export function getAuthorizationServerKeySet(jwksUri: string, timeoutMs: number): JWTVerifyGetKey {
  return getRemoteKeySet(jwksUri, timeoutMs, 0);
}

export interface AccessTokenClaims extends JWTPayload {
  scope?: string;
  fhirUser?: string;
  patient?: string;
  encounter?: string;
}

function describe(error: unknown): string {
  // jose's message names what was wrong (`unexpected "iss" claim value`); its `reason` is only "check_failed" or "missing".
  if (error instanceof errors.JWTClaimValidationFailed) return `claim "${error.claim}" failed: ${error.message}`;
  if (error instanceof errors.JWTExpired) return "token expired";
  if (error instanceof errors.JOSEAlgNotAllowed) return "algorithm not allowed";
  if (error instanceof errors.JWKSNoMatchingKey) return "no key with a matching kid";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "signature invalid";
  return error instanceof Error ? error.message : String(error);
}

/**
 * Verify an access token as Descope issues it: signature against the
 * issuer's JWKS, `iss`, an `aud` (string or array) that contains the FHIR
 * base, `exp` and `nbf`. RFC 9068 §4 lists the same checks for JWT access tokens.
 */
export async function verifyAccessToken(
  token: string,
  expected: { issuer: string; fhirBase: string; keySet: JWTVerifyGetKey },
): Promise<AccessTokenClaims> {
  try {
    const { payload } = await jwtVerify<AccessTokenClaims>(token, expected.keySet, {
      issuer: expected.issuer,
      audience: expected.fhirBase,
      algorithms: ACCEPTED_ALGORITHMS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["exp", "iat"],
    });
    return payload;
  } catch (error) {
    throw new AppError("invalid_token", `Access token rejected: ${describe(error)}`, { cause: error });
  }
}

export interface IdTokenClaims extends JWTPayload {
  nonce?: string;
  fhirUser?: string;
  name?: string;
}

/** Verify an OpenID Connect id token: signature, `iss`, `aud` = client id, `exp`, and `nonce` (OpenID Connect Core §3.1.3.7). */
export async function verifyIdToken(
  token: string,
  expected: { issuer: string; clientId: string; nonce: string; keySet: JWTVerifyGetKey },
): Promise<IdTokenClaims> {
  let payload: IdTokenClaims;
  try {
    ({ payload } = await jwtVerify<IdTokenClaims>(token, expected.keySet, {
      issuer: expected.issuer,
      audience: expected.clientId,
      algorithms: ACCEPTED_ALGORITHMS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["exp", "iat", "sub"],
    }));
  } catch (error) {
    throw new AppError("invalid_token", `ID token rejected: ${describe(error)}`, { cause: error });
  }
  if (payload.nonce !== expected.nonce) {
    throw new AppError("invalid_token", `ID token rejected: claim "nonce" does not match the launch`);
  }
  return payload;
}
