import { errors as joseErrors, jwtVerify } from "jose";
import { getConfig } from "@/lib/config";
import type { SandboxAccessTokenClaims } from "@/lib/sandbox/contracts";
import { getSandboxSigningKey } from "@/lib/sandbox/keys";
import { FhirServerError } from "./errors";

/**
 * Bearer token checks of the sandbox FHIR server (RFC 6750). The sandbox
 * authorization server signs access tokens in the same process, so they are
 * verified against its public key directly, without fetching a JWKS.
 */

/**
 * Verify the access token in an `Authorization: Bearer` header and return its
 * claims. Checks the RS256 signature against the sandbox authorization
 * server's key, the issuer, the expiry, and that `aud` contains the FHIR base.
 * Throws FhirServerError `invalid_token` with a description safe to send back.
 */
export async function verifyAccessToken(authorization: string | null): Promise<SandboxAccessTokenClaims> {
  const token = readBearerToken(authorization);
  const config = getConfig();

  let claims: SandboxAccessTokenClaims;
  try {
    const result = await jwtVerify<SandboxAccessTokenClaims>(token, getSandboxSigningKey("authorization-server").publicKey, {
      algorithms: ["RS256"],
      issuer: config.authServer.issuer,
      audience: config.sandbox.fhirBase,
      requiredClaims: ["exp", "sub"],
    });
    claims = result.payload;
  } catch (error) {
    throw new FhirServerError("invalid_token", describeVerificationFailure(error), { cause: error });
  }

  // A launch can ask for this simulated fault to test how the app handles an access token expiring mid-session.
  if (claims.sim_error === "fhir_token_expired") {
    throw new FhirServerError("invalid_token", EXPIRED_MESSAGE);
  }
  return claims;
}

const EXPIRED_MESSAGE = "The access token has expired. Refresh it or launch the app again.";

function readBearerToken(authorization: string | null): string {
  if (!authorization) {
    throw new FhirServerError("invalid_token", "The request has no access token. Send it as \"Authorization: Bearer <access token>\".");
  }
  const match = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization.trim());
  if (!match?.[1]) {
    throw new FhirServerError("invalid_token", "The Authorization header must use the Bearer scheme: \"Authorization: Bearer <access token>\".");
  }
  return match[1];
}

function describeVerificationFailure(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return EXPIRED_MESSAGE;
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "aud") return `The access token's "aud" does not include this FHIR server (${getConfig().sandbox.fhirBase}).`;
    if (error.claim === "iss") return `The access token's "iss" is not the sandbox authorization server (${getConfig().authServer.issuer}).`;
    return `The access token's "${error.claim}" claim is invalid (${error.reason}).`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "The access token's signature is invalid.";
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "The access token must be signed with RS256.";
  return "The access token is not a valid JWT from the sandbox authorization server.";
}
