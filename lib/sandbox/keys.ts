import { createHash, createPrivateKey, createPublicKey, hkdfSync, type KeyObject } from "node:crypto";
import forge from "node-forge";
import type { JWK } from "jose";
import { getConfig } from "@/lib/config";

/**
 * Keys of the sandbox servers, derived from SESSION_SECRET.
 *
 * The sandbox must behave the same on every serverless instance without a
 * database and with no secret beyond the session secret, so each key is
 * derived with HKDF under its own label: the session secret itself never
 * signs or encrypts sandbox data.
 */
export type SigningKeyPurpose = "authorization-server" | "ehr";
export type SecretPurpose = "authorization-codes" | "refresh-tokens" | "client-secret" | "consent-state";

export interface SandboxSigningKey {
  kid: string;
  alg: "RS256";
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: JWK;
}

// Kept on globalThis so that the start-up hook (instrumentation.ts) and every
// route bundle of the process share the keys instead of each generating its own.
const SIGNING_KEYS = Symbol.for("smart-descope.sandbox.signing-keys");
const signingKeys: Map<string, SandboxSigningKey> = ((globalThis as { [SIGNING_KEYS]?: Map<string, SandboxSigningKey> })[SIGNING_KEYS] ??= new Map());

function derive(purpose: string, length: number): Buffer {
  const secret = getConfig().sessionSecret;
  return Buffer.from(hkdfSync("sha256", secret, "smart-descope-sandbox", `sandbox:${purpose}`, length));
}

/**
 * Return the RSA key the sandbox signs with for `purpose`, generating it on first use.
 *
 * node-forge generates the key from a seeded generator, so every instance with
 * the same SESSION_SECRET gets the same key. Generation takes seconds of CPU
 * once per instance and key (4 to 10 s per key measured on a busy 2-core test
 * machine), so instrumentation.ts generates both keys when the server starts.
 */
export function getSandboxSigningKey(purpose: SigningKeyPurpose): SandboxSigningKey {
  const secret = getConfig().sessionSecret;
  const cacheKey = `${purpose}:${createHash("sha256").update(secret).digest("hex")}`;
  const cached = signingKeys.get(cacheKey);
  if (cached) return cached;

  const seed = derive(`signing-key:${purpose}`, 32).toString("binary");
  const prng = forge.random.createInstance();
  prng.seedFileSync = () => seed;
  const pair = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001, prng, workers: -1 });
  const privateKey = createPrivateKey(forge.pki.privateKeyToPem(pair.privateKey));
  const publicKey = createPublicKey(privateKey);

  const exported = publicKey.export({ format: "jwk" }) as JWK;
  const kid = createHash("sha256").update(exported.n ?? "").digest("base64url").slice(0, 16);
  const key: SandboxSigningKey = {
    kid,
    alg: "RS256",
    privateKey,
    publicKey,
    publicJwk: { kty: "RSA", n: exported.n, e: exported.e, kid, alg: "RS256", use: "sig" },
  };
  signingKeys.set(cacheKey, key);
  return key;
}

/** Return a 256-bit symmetric key for `purpose`, for `dir`/`A256GCM` JWE. */
export function getSandboxSecret(purpose: SecretPurpose): Uint8Array {
  return new Uint8Array(derive(`secret:${purpose}`, 32));
}

/** Return the client secret of the sandbox's registration of this app. */
export function getSandboxClientSecret(): string {
  return derive("secret:client-secret", 32).toString("base64url");
}
