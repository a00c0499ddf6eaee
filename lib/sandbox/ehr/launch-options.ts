import { getConfig } from "@/lib/config";
import { SIMULATED_ERRORS, type SimulatedError } from "@/lib/sandbox/contracts";
import { SANDBOX_PRACTITIONER_ID } from "@/lib/sandbox/fhir/store";
import { OAuthError } from "@/lib/sandbox/auth/errors";
import type { LaunchContext } from "./launch-token";

/**
 * Options of an EHR simulator launch, read from the query of
 * `/sandbox/ehr/launch`, the URL the patient list's form opens.
 */
export interface EhrLaunchOptions {
  patientId: string;
  simError?: SimulatedError;
  /** Defaults to true: the app must show its own patient banner. */
  needPatientBanner: boolean;
  /** "sandbox" sends the sandbox's own SMART style; "none" sends no `smart_style_url`. */
  smartStyle: "sandbox" | "none";
  intent?: string;
  /** Open the app inside the EHR page, or in a window of its own. */
  display: "iframe" | "window";
}

/** Descriptions of the simulated errors for the EHR's option list. */
export const SIMULATED_ERROR_LABELS: Record<SimulatedError, string> = {
  auth_invalid_client: "Authorization server rejects the client",
  auth_consent_denied: "User denies consent after signing in",
  token_server_error: "Token endpoint fails with a server error",
  token_refresh_error: "Token endpoint rejects every refresh (needs online_access or offline_access in SMART_SCOPES)",
  fhir_token_expired: "FHIR server rejects the still-valid access token as expired",
};

// Longer intents are not useful to an app and would only bloat the launch token.
const MAX_INTENT_LENGTH = 200;

function readChoice<T extends string>(params: URLSearchParams, name: string, choices: readonly T[], fallback: T): T {
  const value = params.get(name) ?? "";
  if (value === "") return fallback;
  if (!choices.includes(value as T)) throw new OAuthError("invalid_request", `"${name}" must be one of ${choices.map((choice) => `"${choice}"`).join(", ")}, got "${value}"`);
  return value as T;
}

/** Parse launch options from a query; throws `invalid_request` naming the bad parameter. */
export function parseEhrLaunchOptions(params: URLSearchParams): EhrLaunchOptions {
  const patientId = params.get("patient") ?? "";
  if (patientId === "") throw new OAuthError("invalid_request", `"patient" is missing: choose a patient from the list`);

  const simError = params.get("sim_error") || undefined;
  if (simError !== undefined && !SIMULATED_ERRORS.includes(simError as SimulatedError)) {
    throw new OAuthError("invalid_request", `"sim_error" must be one of ${SIMULATED_ERRORS.join(", ")}, got "${simError}"`);
  }

  const intent = params.get("intent")?.trim() || undefined;
  if (intent !== undefined && intent.length > MAX_INTENT_LENGTH) {
    throw new OAuthError("invalid_request", `"intent" is longer than ${MAX_INTENT_LENGTH} characters`);
  }

  return {
    patientId,
    simError: simError as SimulatedError | undefined,
    needPatientBanner: readChoice(params, "need_patient_banner", ["true", "false"], "true") === "true",
    smartStyle: readChoice(params, "smart_style", ["sandbox", "none"], "sandbox"),
    intent,
    display: readChoice(params, "display", ["iframe", "window"], "iframe"),
  };
}

/** Return the URL of the sandbox EHR's SMART style document. */
export function sandboxStyleUrl(): string {
  return `${getConfig().sandbox.ehrIssuer}/smart-style.json`;
}

/** Return the launch context the EHR signs into the launch token for `options`. */
export function launchContextFor(options: EhrLaunchOptions, encounterId?: string): LaunchContext {
  return {
    patient: options.patientId,
    encounter: encounterId,
    fhirUser: `Practitioner/${SANDBOX_PRACTITIONER_ID}`,
    need_patient_banner: options.needPatientBanner,
    smart_style_url: options.smartStyle === "sandbox" ? sandboxStyleUrl() : undefined,
    intent: options.intent,
    sim_error: options.simError,
  };
}
