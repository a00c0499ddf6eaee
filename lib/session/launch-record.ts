import { sealData, unsealData } from "iron-session";
import { getConfig } from "@/lib/config";

/** SMART context the app shows a launch with (SMART App Launch 2.2, "Launch context arrives with your access_token"). */
export interface SmartContext {
  patient?: string;
  encounter?: string;
  fhirUser?: string;
  fhirContext?: Array<{ reference?: string; canonical?: string; identifier?: unknown; type?: string; role?: string }>;
  needPatientBanner?: boolean;
  smartStyleUrl?: string;
  intent?: string;
  tenant?: string;
}

/** State of a launch between `/launch` and `/callback`, deleted by the callback. */
export interface PendingAuthorization {
  state: string;
  codeVerifier: string;
  nonce: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** Set when the login runs in a popup: the URL the popup opens. */
  popupAuthorizationUrl?: string;
}

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  tokenType: string;
  scope: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** One launch: created by `/launch`, completed by `/callback`, read by every page and proxy request of that launch. */
export interface LaunchRecord {
  id: string;
  kind: "ehr" | "standalone";
  /** FHIR base exactly as the EHR sent it in `iss`. */
  iss: string;
  createdAt: number;
  /** Milliseconds since the epoch of the last request that used this launch, for the idle limit. */
  lastSeenAt?: number;
  requestedScope: string;
  /** Context from the EHR launch token, before the authorization server adds its own. */
  launchContext: SmartContext;
  pending?: PendingAuthorization;
  tokens?: TokenSet;
  context?: SmartContext;
  /** The signed-in user's name, from the id token. */
  userName?: string;
}

/** Browsers drop a cookie above 4096 bytes (name, value and attributes together), so records must stay below. */
export const MAX_COOKIE_BYTES = 4096;

/** A pending launch lives ten minutes: enough for a login with a second factor. */
export const PENDING_TTL_SECONDS = 10 * 60;

/** Upper bound of a sealed launch's lifetime; SESSION_MAX_SECONDS ends launches earlier. */
export const LAUNCH_TTL_SECONDS = 7 * 24 * 60 * 60;

export const LAUNCH_COOKIE_PREFIX = "__Host-smart-launch-";

export function launchCookieName(launchId: string): string {
  return `${LAUNCH_COOKIE_PREFIX}${launchId}`;
}

/** Seal a launch record with iron-session (AES-256-CBC and HMAC-SHA-256 under SESSION_SECRET). */
export async function sealLaunch(record: LaunchRecord, ttlSeconds: number): Promise<string> {
  const sealed = await sealData(record, { password: getConfig().sessionSecret, ttl: ttlSeconds });
  const size = launchCookieName(record.id).length + sealed.length + 120;
  if (size > MAX_COOKIE_BYTES) {
    throw new Error(`Sealed launch record is ${size} bytes, above the ${MAX_COOKIE_BYTES}-byte cookie limit`);
  }
  return sealed;
}

/** Unseal a launch record; returns undefined for an expired, tampered or foreign cookie. */
export async function unsealLaunch(sealed: string, expectedId: string): Promise<LaunchRecord | undefined> {
  try {
    const record = await unsealData<LaunchRecord>(sealed, { password: getConfig().sessionSecret, ttl: LAUNCH_TTL_SECONDS });
    // iron-session returns {} for a cookie it cannot open, and a cookie copied
    // under another launch's name must not open that launch.
    if (!record || typeof record !== "object" || record.id !== expectedId) return undefined;
    return record;
  } catch {
    return undefined;
  }
}
