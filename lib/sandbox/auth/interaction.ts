import { authServerUrls } from "./discovery";
import { errorRedirectUrl, OAuthError } from "./errors";
import type { Grant, SmartContext } from "./grant";
import { PENDING_REQUEST_TTL_SECONDS, type AuthorizationRequest } from "./authorize";
import { singleParam } from "./http";
import { spentTokens } from "./replay";
import { seal, unseal, type SealedClaims } from "./sealed";
import { findSandboxUser, type SandboxUser } from "./users";

/**
 * The sign-in and consent steps between the authorization request and the
 * code. Each step's form carries the sealed request in a hidden field, so the
 * server keeps nothing between steps. The seal also binds the form to one
 * request, and together with the origin check on POST this stops cross-site forgery.
 */

export interface PendingLogin extends SealedClaims {
  request: AuthorizationRequest;
}

export interface PendingConsent extends SealedClaims {
  request: AuthorizationRequest;
  user: SandboxUser;
}

/** Lifetime of an authorization code: long enough for one token request (RFC 6749 §4.1.2 recommends at most 10 minutes). */
export const AUTHORIZATION_CODE_TTL_SECONDS = 60;

/** Error description for a consent form that was already sent once. */
export const CONSENT_ALREADY_SUBMITTED = "This consent form was already submitted: start again from the app";

/** Contents of an authorization code. */
export interface AuthorizationCode extends SealedClaims {
  grant: Grant;
  redirectUri: string;
  codeChallenge: string;
  nonce?: string;
}

/** Open the sealed request of the sign-in page; throws `invalid_request` when it is invalid or expired. */
export function openLoginStep(sealedRequest: string | undefined, now?: Date): Promise<PendingLogin> {
  return unseal<PendingLogin>(sealedRequest, { purpose: "consent-state", kind: "login", field: "request", errorCode: "invalid_request", now });
}

/** Open the sealed request of the consent page; throws `invalid_request` when it is invalid or expired. */
export function openConsentStep(sealedRequest: string | undefined, now?: Date): Promise<PendingConsent> {
  return unseal<PendingConsent>(sealedRequest, { purpose: "consent-state", kind: "consent", field: "request", errorCode: "invalid_request", now });
}

/** Return the URL of the consent page for a sealed request. */
export function consentPageUrl(sealedRequest: string): string {
  const url = new URL(authServerUrls().consent);
  url.searchParams.set("request", sealedRequest);
  return url.toString();
}

function deniedRedirect(request: AuthorizationRequest, description: string): string {
  return errorRedirectUrl(request.redirectUri, new OAuthError("access_denied", description), request.state, authServerUrls().issuer);
}

/**
 * Process the sign-in form (`request`, `user`) and return where to send the
 * browser: the consent page, or the redirect URI with `access_denied` when the
 * launch simulates a denied consent. Throws OAuthError for a page when the form is invalid.
 */
export async function submitLogin(form: URLSearchParams, now: Date = new Date()): Promise<string> {
  const pending = await openLoginStep(singleParam(form, "request", 16_384), now);
  const user = await findSandboxUser(singleParam(form, "user"));
  if (!user) throw new OAuthError("invalid_request", `"user" is missing or unknown: go back and choose who signs in`);

  if (pending.request.launch?.sim_error === "auth_consent_denied") {
    return deniedRedirect(pending.request, `Simulated error "auth_consent_denied": the user did not allow access`);
  }

  const sealed = await seal("consent-state", "consent", { request: pending.request, user }, PENDING_REQUEST_TTL_SECONDS, now);
  return consentPageUrl(sealed);
}

/**
 * Return the SMART context of a grant. An EHR launch brings its own context
 * when the `launch` scope is approved. On a standalone launch, a patient user
 * who approves `launch/patient` gets their own record. A practitioner gets no
 * patient on a standalone launch, so the app shows its own patient picker.
 */
export function resolveContext(request: AuthorizationRequest, user: SandboxUser, approved: string[]): SmartContext {
  const launch = request.launch;
  if (launch && approved.includes("launch")) {
    return {
      patient: launch.patient,
      encounter: launch.encounter,
      need_patient_banner: launch.need_patient_banner,
      smart_style_url: launch.smart_style_url,
      intent: launch.intent,
    };
  }
  if (approved.includes("launch/patient") && user.patientId) return { patient: user.patientId, need_patient_banner: true };
  return {};
}

function buildGrant(pending: PendingConsent, approved: string[], now: Date): Grant {
  const { request, user } = pending;
  return {
    clientId: request.clientId,
    scopes: approved,
    sub: user.id,
    name: user.name,
    fhirUser: user.fhirUser,
    audience: request.audience,
    context: resolveContext(request, user, approved),
    simError: request.launch?.sim_error,
    authTime: Math.floor(now.getTime() / 1000),
  };
}

/** Seal an authorization code for `grant`, valid for {@link AUTHORIZATION_CODE_TTL_SECONDS}. */
export function sealAuthorizationCode(
  grant: Grant,
  request: Pick<AuthorizationRequest, "redirectUri" | "codeChallenge" | "nonce">,
  now: Date = new Date(),
): Promise<string> {
  const payload = { grant, redirectUri: request.redirectUri, codeChallenge: request.codeChallenge, nonce: request.nonce };
  return seal("authorization-codes", "code", payload, AUTHORIZATION_CODE_TTL_SECONDS, now);
}

/**
 * Process the consent form (`request`, `decision` = allow or deny, one
 * `scope` per approved scope) and return the redirect URI with a code, or
 * with `access_denied`. Scopes the user did not tick are left out of the
 * grant. Throws OAuthError for a page when the form is invalid or was already submitted.
 */
export async function submitConsent(form: URLSearchParams, now: Date = new Date()): Promise<string> {
  const pending = await openConsentStep(singleParam(form, "request", 16_384), now);
  const decision = singleParam(form, "decision");
  if (decision !== "allow" && decision !== "deny") throw new OAuthError("invalid_request", `"decision" must be "allow" or "deny"`);

  if (!spentTokens().markUsed(pending.jti, pending.exp, now)) {
    throw new OAuthError("invalid_request", CONSENT_ALREADY_SUBMITTED);
  }
  if (decision === "deny") return deniedRedirect(pending.request, "The user denied access");

  const ticked = form.getAll("scope");
  const approved = pending.request.scopes.filter((scope) => ticked.includes(scope));
  if (approved.length === 0) return deniedRedirect(pending.request, "The user approved none of the requested scopes");

  const code = await sealAuthorizationCode(buildGrant(pending, approved, now), pending.request, now);
  const location = new URL(pending.request.redirectUri);
  location.searchParams.set("code", code);
  if (pending.request.state !== undefined) location.searchParams.set("state", pending.request.state);
  location.searchParams.set("iss", authServerUrls().issuer);
  return location.toString();
}
