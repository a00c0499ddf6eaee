import { createHash, timingSafeEqual } from "node:crypto";

/**
 * PKCE with the S256 method only (RFC 7636). SMART App Launch 2 forbids
 * `plain`, so the sandbox rejects it like a missing challenge.
 */

// RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

// A SHA-256 digest is 32 bytes, which base64url encodes in 43 characters without padding.
const S256_CHALLENGE_PATTERN = /^[A-Za-z0-9\-_]{43}$/;

/** Return true when `challenge` has the shape of an S256 code challenge (RFC 7636 §4.2). */
export function isS256Challenge(challenge: string): boolean {
  return S256_CHALLENGE_PATTERN.test(challenge);
}

/** Return the S256 code challenge of `verifier`: BASE64URL(SHA256(ASCII(verifier))). */
export function s256Challenge(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/** Return true when `verifier` is well formed and hashes to `challenge` (RFC 7636 §4.6). */
export function verifyS256(verifier: string | undefined, challenge: string): boolean {
  if (verifier === undefined || !VERIFIER_PATTERN.test(verifier)) return false;
  const actual = Buffer.from(s256Challenge(verifier));
  const expected = Buffer.from(challenge);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
