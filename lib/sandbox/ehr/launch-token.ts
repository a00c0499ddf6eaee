import { randomUUID } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { getConfig } from "@/lib/config";
import { SIMULATED_ERRORS, type LaunchTokenClaims, type SimulatedError } from "@/lib/sandbox/contracts";
import { getSandboxSigningKey } from "@/lib/sandbox/keys";
import { OAuthError } from "@/lib/sandbox/auth/errors";

/**
 * Launch tokens of the EHR simulator: the opaque `launch` parameter of a SMART
 * EHR launch, here an RS256 JWT signed with the EHR key.
 */

/** Lifetime of a launch token: the app must start its authorization request within it. */
export const LAUNCH_TOKEN_TTL_SECONDS = 5 * 60;

/** Launch context the EHR puts in a token; the issuer, audience, id and times are added when it is signed. */
export type LaunchContext = Omit<LaunchTokenClaims, "iss" | "aud" | "jti" | "iat" | "exp">;

/** Sign a launch token for `context`, addressed to the sandbox FHIR base. */
export async function mintLaunchToken(context: LaunchContext, now: Date = new Date()): Promise<string> {
  const config = getConfig();
  const key = getSandboxSigningKey("ehr");
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ ...context })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
    .setIssuer(config.sandbox.ehrIssuer)
    .setAudience(config.sandbox.fhirBase)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + LAUNCH_TOKEN_TTL_SECONDS)
    .sign(key.privateKey);
}

/** Return the app's launch URL for an EHR launch with `launchToken` (SMART App Launch 2.2, "EHR launch"). */
export function buildAppLaunchUrl(launchToken: string): string {
  const config = getConfig();
  const url = new URL(config.launchUrl);
  url.searchParams.set("iss", config.sandbox.fhirBase);
  url.searchParams.set("launch", launchToken);
  return url.toString();
}

function describeLaunchFailure(error: unknown, expectedFhirBase: string): string {
  if (error instanceof joseErrors.JWTExpired) return "is expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === "aud") return `is for another FHIR server than "${expectedFhirBase}"`;
  return "is invalid";
}

function isSimulatedError(value: unknown): value is SimulatedError {
  return SIMULATED_ERRORS.includes(value as SimulatedError);
}

/**
 * Verify a launch token made by {@link mintLaunchToken}: RS256 with the EHR
 * key, issuer the sandbox EHR, audience `expectedFhirBase`, not expired.
 * Throws OAuthError `invalid_request`, the error the authorization endpoint
 * returns for a bad `launch` parameter.
 */
export async function verifyLaunchToken(token: string, expectedFhirBase: string, now: Date = new Date()): Promise<LaunchTokenClaims> {
  const config = getConfig();
  let payload: LaunchTokenClaims;
  try {
    const result = await jwtVerify<LaunchTokenClaims>(token, getSandboxSigningKey("ehr").publicKey, {
      algorithms: ["RS256"],
      issuer: config.sandbox.ehrIssuer,
      audience: expectedFhirBase,
      requiredClaims: ["jti", "iat", "exp"],
      currentDate: now,
    });
    payload = result.payload;
  } catch (error) {
    throw new OAuthError("invalid_request", `"launch" ${describeLaunchFailure(error, expectedFhirBase)}: open the app again from the EHR`, { cause: error });
  }

  if (payload.sim_error !== undefined && !isSimulatedError(payload.sim_error)) {
    throw new OAuthError("invalid_request", `"launch" asks for an unknown simulated error`, { cause: { simError: payload.sim_error } });
  }
  return payload;
}
