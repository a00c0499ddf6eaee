import type { SimulatedError } from "@/lib/sandbox/contracts";

/**
 * Types of a user's grant to a client. Authorization codes and refresh tokens
 * carry a grant, and the token endpoint turns it into tokens.
 */

/** SMART launch context returned beside the access token (SMART App Launch 2.2, "Launch context arrives with your access_token"). */
export interface SmartContext {
  patient?: string;
  encounter?: string;
  need_patient_banner?: boolean;
  smart_style_url?: string;
  intent?: string;
}

export interface Grant {
  clientId: string;
  /** Scopes the user approved, in request order. */
  scopes: string[];
  sub: string;
  name: string;
  fhirUser: string;
  /** FHIR base the tokens are for, from the request's `aud` or `resource`. */
  audience: string;
  context: SmartContext;
  simError?: SimulatedError;
  /** Time of the sign-in, in seconds since the epoch. */
  authTime: number;
}
