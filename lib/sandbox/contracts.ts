/**
 * Shapes that the sandbox servers exchange with each other and with the app.
 * The authorization server issues these, the FHIR server and the app verify them.
 */

/** Faults a sandbox launch can ask for, like the SMART reference launcher's simulated errors. */
export const SIMULATED_ERRORS = ["auth_invalid_client", "auth_consent_denied", "token_server_error", "token_refresh_error", "fhir_token_expired"] as const;
export type SimulatedError = (typeof SIMULATED_ERRORS)[number];

/**
 * Claims of the EHR simulator's launch token: a JWT signed RS256 by the EHR
 * key (JWKS at `{ehrIssuer}/.well-known/jwks.json`), valid for five minutes.
 */
export interface LaunchTokenClaims {
  iss: string; // the EHR issuer, `{baseUrl}/sandbox/ehr`
  aud: string; // the FHIR base the launch is for, which must equal the `iss` launch parameter
  jti: string;
  iat: number;
  exp: number;
  patient?: string; // Patient id
  encounter?: string; // Encounter id
  fhirUser?: string; // for example "Practitioner/sandbox-practitioner"
  need_patient_banner?: boolean;
  smart_style_url?: string;
  intent?: string;
  sim_error?: SimulatedError;
}

/**
 * Claims of a sandbox access token, shaped like a Descope Inbound App token:
 * RS256 with `kid`, `aud` an array holding the project id, the client id and
 * the FHIR base taken from `aud`/`resource`.
 */
export interface SandboxAccessTokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  azp: string; // client id
  scope: string;
  iat: number;
  exp: number;
  jti: string;
  fhirUser?: string;
  patient?: string;
  sim_error?: SimulatedError;
}
