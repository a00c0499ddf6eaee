import { jwtVerify, type JWTVerifyGetKey } from "jose";
import { getConfig, type TrustedIssuer } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { ACCEPTED_ALGORITHMS, CLOCK_TOLERANCE_SECONDS, getRemoteKeySet } from "@/lib/oauth/verify-tokens";
import type { SmartContext } from "@/lib/session/launch-record";

/**
 * Return the only value of launch parameter `name`, or null when it is absent.
 * A repeated parameter is rejected: a proxy, a log and this app could each
 * read a different copy and disagree on which server the launch is for.
 */
export function singleLaunchParameter(params: URLSearchParams, name: "iss" | "launch"): string | null {
  const values = params.getAll(name);
  if (values.length > 1) throw new AppError("invalid_launch_request", `Parameter "${name}" is repeated`, { cause: { count: values.length } });
  return values[0] ?? null;
}

/**
 * Find the trusted issuer whose FHIR base is exactly `iss`. Nothing is fetched
 * from an `iss` before this check passes, so an attacker's server never
 * receives a request (SMART App Launch 2.2, "Launch app: EHR launch").
 */
export function findTrustedIssuer(iss: string | null, issuers: TrustedIssuer[] = getConfig().trustedIssuers): TrustedIssuer {
  if (!iss) throw new AppError("invalid_launch_request", `Parameter "iss" is missing`);

  let url: URL;
  try {
    url = new URL(iss);
  } catch {
    throw new AppError("untrusted_issuer", `Parameter "iss" is not a URL`, { cause: { iss } });
  }
  if (url.username || url.password) {
    throw new AppError("untrusted_issuer", `Parameter "iss" contains credentials`, { cause: { origin: url.origin } });
  }

  const match = issuers.find((issuer) => issuer.iss === iss);
  if (!match) throw new AppError("untrusted_issuer", `Parameter "iss" is not a trusted FHIR server`, { cause: { iss: iss.slice(0, 200) } });
  return match;
}

/** Launch tokens already used in this instance, with their expiry in seconds. */
const usedLaunchTokens = new Map<string, number>();

function rememberLaunchToken(jti: string, exp: number): void {
  const now = Date.now() / 1000;
  for (const [id, expiry] of usedLaunchTokens) if (expiry < now) usedLaunchTokens.delete(id);

  // NOTE: the set lives in one server instance; on a serverless platform a
  // replay that reaches another instance within the token's five minutes passes.
  if (usedLaunchTokens.has(jti)) throw new AppError("invalid_launch_token", `Launch token "jti" was already used`);
  usedLaunchTokens.set(jti, exp);
}

interface LaunchTokenPayload {
  jti?: string;
  exp?: number;
  patient?: unknown;
  encounter?: unknown;
  fhirUser?: unknown;
  need_patient_banner?: unknown;
  smart_style_url?: unknown;
  intent?: unknown;
  tenant?: unknown;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length < 512 ? value : undefined;
}

function contextFromLaunchToken(payload: LaunchTokenPayload): SmartContext {
  return {
    patient: optionalString(payload.patient),
    encounter: optionalString(payload.encounter),
    fhirUser: optionalString(payload.fhirUser),
    needPatientBanner: typeof payload.need_patient_banner === "boolean" ? payload.need_patient_banner : undefined,
    smartStyleUrl: optionalString(payload.smart_style_url),
    intent: optionalString(payload.intent),
    tenant: optionalString(payload.tenant),
  };
}

/**
 * Resolve the launch context that the EHR passed in `launch`.
 *
 * For an issuer that signs launch tokens, `launch` must be a JWT from that
 * EHR's key, addressed to this FHIR base (`aud` = `iss`), unexpired and not
 * used before. For an issuer whose context arrives in the token response,
 * `launch` is opaque and the context starts empty.
 */
export async function resolveLaunchContext(
  issuer: TrustedIssuer,
  launch: string | null,
  keySet?: JWTVerifyGetKey,
): Promise<SmartContext> {
  if (!launch) throw new AppError("invalid_launch_request", `Parameter "launch" is missing`);
  if (launch.length > 4096) throw new AppError("invalid_launch_request", `Parameter "launch" is longer than 4096 characters`);
  if (issuer.launchContext.type === "token-claims") return {};

  const { launchContext } = issuer;
  let payload: LaunchTokenPayload;
  try {
    ({ payload } = await jwtVerify<LaunchTokenPayload>(launch, keySet ?? getRemoteKeySet(launchContext.jwksUrl, getConfig().fhirTimeoutMs), {
      issuer: launchContext.issuer,
      audience: issuer.iss,
      algorithms: ACCEPTED_ALGORITHMS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      maxTokenAge: "10m",
      requiredClaims: ["exp", "iat", "jti"],
    }));
  } catch (error) {
    throw new AppError("invalid_launch_token", `Launch token rejected: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }

  rememberLaunchToken(String(payload.jti), Number(payload.exp));
  return contextFromLaunchToken(payload);
}
