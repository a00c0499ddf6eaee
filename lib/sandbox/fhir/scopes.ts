/**
 * SMART App Launch resource scopes (v1 `patient/Observation.read`, v2
 * `patient/Observation.rs?category=laboratory`), parsed into what they allow
 * on the read-only sandbox FHIR server.
 *
 * Scopes that are not resource scopes (`openid`, `launch`, `offline_access`)
 * and malformed resource scopes are ignored: they grant nothing here.
 * `system/` scopes are ignored too, because the sandbox authorization server
 * issues tokens only to users, never to backend services.
 */

/** Whose data a resource scope covers: the patient in context, or everything the user may see. */
export type ScopeContext = "patient" | "user";

/** The two interactions of the read-only sandbox server. */
export type FhirInteraction = "read" | "search";

/** One resource scope of an access token. */
export interface ResourceScope {
  /** The scope exactly as granted. */
  scope: string;
  context: ScopeContext;
  /** A resource type, or `*` for every type. */
  resourceType: string;
  canRead: boolean;
  canSearch: boolean;
  /**
   * Search parameters after `?` in a SMART v2 scope, such as
   * `[["category", "laboratory"]]`. A scope with parameters covers only
   * resources that match all of them.
   */
  parameters: Array<[string, string]>;
}

const RESOURCE_SCOPE = /^(patient|user)\/(\*|[A-Z][A-Za-z]{1,63})\.([a-z*]+)(?:\?(.+))?$/;

// SMART v2 permissions are a subset of "cruds" written in that order.
const V2_PERMISSIONS = /^c?r?u?d?s?$/;

/** Parse one scope; return undefined for anything that is not a valid patient/ or user/ resource scope. */
export function parseResourceScope(scope: string): ResourceScope | undefined {
  const match = RESOURCE_SCOPE.exec(scope);
  if (!match) return undefined;
  const [, context, resourceType, permissions, query] = match as unknown as [string, ScopeContext, string, string, string | undefined];

  const access = parsePermissions(permissions);
  if (!access) return undefined;

  const parameters = query === undefined ? [] : parseScopeParameters(query);
  if (!parameters) return undefined;

  return { scope, context, resourceType, ...access, parameters };
}

function parsePermissions(permissions: string): { canRead: boolean; canSearch: boolean } | undefined {
  // SMART v1: "read" allows read and search, "*" allows everything, "write" no reading.
  if (permissions === "read" || permissions === "*") return { canRead: true, canSearch: true };
  if (permissions === "write") return { canRead: false, canSearch: false };

  if (permissions === "" || !V2_PERMISSIONS.test(permissions)) return undefined;
  return { canRead: permissions.includes("r"), canSearch: permissions.includes("s") };
}

function parseScopeParameters(query: string): Array<[string, string]> | undefined {
  const parameters = [...new URLSearchParams(query).entries()];
  const valid = parameters.length > 0 && parameters.every(([name, value]) => name !== "" && value !== "");
  return valid ? parameters : undefined;
}

/** Parse the space-separated `scope` claim of an access token into its resource scopes. */
export function parseScopes(scopeClaim: string | undefined): ResourceScope[] {
  const scopes = (scopeClaim ?? "").split(/\s+/).filter(Boolean);
  return scopes.map(parseResourceScope).filter((scope): scope is ResourceScope => scope !== undefined);
}

/** Return the scopes that allow `interaction` on `resourceType`, before any patient or parameter check. */
export function scopesAllowing(scopes: ResourceScope[], interaction: FhirInteraction, resourceType: string): ResourceScope[] {
  return scopes.filter((scope) => {
    const typeMatches = scope.resourceType === "*" || scope.resourceType === resourceType;
    const permitted = interaction === "read" ? scope.canRead : scope.canSearch;
    return typeMatches && permitted;
  });
}

/**
 * Return true when a search with `query` stays inside `scope`'s parameters:
 * for each parameter of the scope the search must carry that parameter with
 * exactly the scope's value, so its results cannot reach beyond the scope.
 * A search for `category=laboratory,vital-signs` does not fit a scope limited
 * to `category=laboratory`.
 */
export function searchFitsScopeParameters(scope: ResourceScope, query: Array<[string, string]>): boolean {
  return scope.parameters.every(([name, value]) => query.some(([queryName, queryValue]) => queryName === name && queryValue === value));
}

/** Return a scope that would allow `interaction` on `resourceType`, for `insufficient_scope` replies. */
export function describeRequiredScope(context: ScopeContext, interaction: FhirInteraction, resourceType: string): string {
  return `${context}/${resourceType}.${interaction === "read" ? "r" : "s"}`;
}
