import { OAuthError } from "./errors";

/**
 * Scopes the sandbox authorization server grants: OpenID Connect scopes, the
 * SMART App Launch 2.2 launch and refresh scopes, and patient or user
 * resource scopes in v1 (`.read`, `.write`, `.*`) or v2 (`.cruds`) syntax.
 */
export const FIXED_SCOPES = {
  openid: "Confirm who you are",
  profile: "See your name",
  fhirUser: "See which user record is yours",
  launch: "Use the patient and encounter the EHR opened the app with",
  "launch/patient": "Choose the patient whose record the app shows",
  "launch/encounter": "Choose the encounter the app works in",
  offline_access: "Keep access when you are not using the app",
  online_access: "Keep access while you are signed in",
} as const satisfies Record<string, string>;

// v2 permission letters must appear in c, r, u, d, s order, each at most once;
// the optional query narrows the scope, as in `patient/Observation.rs?category=laboratory`.
const RESOURCE_SCOPE = /^(patient|user)\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|c?r?u?d?s?)(\?[^\s]+)?$/;

/** Split a space-separated scope string into unique scopes, keeping their order. */
export function splitScopes(scope: string | undefined): string[] {
  return [...new Set((scope ?? "").split(" ").filter(Boolean))];
}

/** Return true when the sandbox can grant `scope`. */
export function isSupportedScope(scope: string): boolean {
  if (Object.hasOwn(FIXED_SCOPES, scope)) return true;
  const match = RESOURCE_SCOPE.exec(scope);
  return match !== null && match[3] !== "";
}

/**
 * Parse the `scope` parameter of an authorization request.
 * Throws `invalid_scope` (RFC 6749 §4.1.2.1) when it is empty or contains a scope the sandbox does not know.
 */
export function parseRequestedScopes(scope: string | undefined): string[] {
  const scopes = splitScopes(scope);
  if (scopes.length === 0) throw new OAuthError("invalid_scope", `"scope" is missing: request at least one scope, for example "openid fhirUser patient/*.rs"`);

  const unknown = scopes.filter((item) => !isSupportedScope(item));
  if (unknown.length > 0) {
    throw new OAuthError("invalid_scope", `"scope" contains scopes the sandbox does not support: ${unknown.map((item) => `"${item}"`).join(", ")}`);
  }
  return scopes;
}

/**
 * Return the scopes of a refresh request (RFC 6749 §6): all of `granted` when
 * `requested` is absent, otherwise `requested`, which must be a subset of `granted`.
 * Throws `invalid_scope` when the request would widen the grant.
 */
export function narrowScopes(granted: string[], requested: string | undefined): string[] {
  const scopes = splitScopes(requested);
  if (scopes.length === 0) return granted;

  const extra = scopes.filter((item) => !granted.includes(item));
  if (extra.length > 0) {
    throw new OAuthError("invalid_scope", `"scope" asks for scopes that were not granted: ${extra.map((item) => `"${item}"`).join(", ")}`, {
      cause: { granted, requested: scopes },
    });
  }
  return scopes;
}

const PERMISSION_WORDS: Record<string, string> = { c: "create", r: "read", u: "update", d: "delete", s: "search" };

function permissionWords(permissions: string): string {
  if (permissions === "read") return "read and search";
  if (permissions === "write") return "create, update and delete";
  if (permissions === "*") return "read, search, create, update and delete";
  const words = permissions.split("").map((letter) => PERMISSION_WORDS[letter]);
  const last = words.pop();
  return words.length > 0 ? `${words.join(", ")} and ${last}` : (last ?? "");
}

/** Return a short description of `scope` for the consent page. */
export function describeScope(scope: string): string {
  if (Object.hasOwn(FIXED_SCOPES, scope)) return FIXED_SCOPES[scope as keyof typeof FIXED_SCOPES];

  const match = RESOURCE_SCOPE.exec(scope);
  if (!match) return scope;
  const [, context, resourceType, permissions = "", query] = match;
  const records = resourceType === "*" ? "all record types" : `${resourceType} records`;
  const owner = context === "patient" ? "of the patient in context" : "that you can see";
  const filter = query ? ` matching ${query.slice(1)}` : "";
  return `${permissionWords(permissions)} ${records}${filter} ${owner}`.replace(/^./, (first) => first.toUpperCase());
}
