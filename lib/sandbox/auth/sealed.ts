import { randomUUID } from "node:crypto";
import { EncryptJWT, errors as joseErrors, jwtDecrypt, type JWTPayload } from "jose";
import { getSandboxSecret, type SecretPurpose } from "@/lib/sandbox/keys";
import { OAuthError, type OAuthErrorCode } from "./errors";

/**
 * Encrypted, self-contained state of the sandbox authorization server:
 * pending sign-ins, authorization codes and refresh tokens. Each is a JWE
 * (`dir`, `A256GCM`) under a key of its own, so every serverless instance can
 * open what another one sealed, and a client can neither read nor change it.
 */
export interface SealedClaims {
  /** Step the token belongs to, so that a token of one step is rejected by another step that uses the same key. */
  kind: string;
  jti: string;
  iat: number;
  exp: number;
}

export interface UnsealOptions {
  purpose: SecretPurpose;
  kind: string;
  /** Parameter name used in the error description, such as "code". */
  field: string;
  /** Error code thrown when the token is invalid, expired or of another kind. */
  errorCode: OAuthErrorCode;
  now?: Date;
}

/** Encrypt `payload` with the key for `purpose`; the result expires `ttlSeconds` after `now`. */
export async function seal(
  purpose: SecretPurpose,
  kind: string,
  payload: Record<string, unknown>,
  ttlSeconds: number,
  now: Date = new Date(),
): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new EncryptJWT({ ...payload, kind })
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .encrypt(getSandboxSecret(purpose));
}

/**
 * Decrypt a token made by {@link seal} and check its kind and expiry.
 * Throws OAuthError with `options.errorCode` when any check fails.
 */
export async function unseal<T extends object>(token: string | undefined, options: UnsealOptions): Promise<T & SealedClaims> {
  if (!token) throw new OAuthError(options.errorCode, `"${options.field}" is missing`);

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtDecrypt(token, getSandboxSecret(options.purpose), {
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
      requiredClaims: ["jti", "iat", "exp"],
      currentDate: options.now,
    }));
  } catch (error) {
    const expired = error instanceof joseErrors.JWTExpired;
    // jose's claim errors carry the decrypted payload, which names the user, so only the error's code goes to the logs.
    const cause = error instanceof joseErrors.JOSEError ? { code: error.code } : { name: error instanceof Error ? error.name : typeof error };
    throw new OAuthError(options.errorCode, `"${options.field}" is ${expired ? "expired" : "invalid"}`, { cause });
  }

  if (payload.kind !== options.kind) {
    throw new OAuthError(options.errorCode, `"${options.field}" is invalid`, {
      cause: { expectedKind: options.kind, actualKind: payload.kind },
    });
  }
  return payload as T & SealedClaims;
}
