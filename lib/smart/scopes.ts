/**
 * SMART App Launch scopes (v1 and v2 syntax) and the comparison of requested
 * with granted scopes shown on the consent results page.
 *
 * v2 syntax: `(patient|user|system)/(Type|*).[c][r][u][d][s][?query]`. v1's
 * `.read` equals `.rs`, `.write` equals `.cud` and `.*` equals `.cruds`
 * (SMART App Launch 2.2, "Scopes for requesting FHIR resources").
 */
export type Permission = "c" | "r" | "u" | "d" | "s";

const PERMISSION_ORDER: Permission[] = ["c", "r", "u", "d", "s"];

export interface ResourceScope {
  kind: "resource";
  raw: string;
  context: "patient" | "user" | "system";
  resourceType: string;
  permissions: Set<Permission>;
  query: string;
}

export interface OtherScope {
  kind: "other";
  raw: string;
}

export type Scope = ResourceScope | OtherScope;

const RESOURCE_SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]+)\.([a-z*]+)(\?.*)?$/;

function parsePermissions(text: string): Set<Permission> | undefined {
  if (text === "read") return new Set(["r", "s"]);
  if (text === "write") return new Set(["c", "u", "d"]);
  if (text === "*") return new Set(PERMISSION_ORDER);

  // v2 requires the letters in c, r, u, d, s order, each at most once.
  const letters = text.split("") as Permission[];
  let last = -1;
  for (const letter of letters) {
    const index = PERMISSION_ORDER.indexOf(letter);
    if (index <= last) return undefined;
    last = index;
  }
  return new Set(letters);
}

/** Parse one scope; anything that is not a resource scope (`openid`, `launch/patient`) is kept as is. */
export function parseScope(raw: string): Scope {
  const match = RESOURCE_SCOPE.exec(raw);
  const permissions = match?.[3] ? parsePermissions(match[3]) : undefined;
  if (!match || !permissions) return { kind: "other", raw };
  return {
    kind: "resource",
    raw,
    context: match[1] as ResourceScope["context"],
    resourceType: match[2] ?? "*",
    permissions,
    query: match[4] ?? "",
  };
}

/** Split a space-separated scope string into unique scopes, in order. */
export function splitScopes(scope: string | undefined): string[] {
  return [...new Set((scope ?? "").split(/\s+/).filter(Boolean))];
}

/** Return whether the space-separated `granted` scope string lists `name` exactly. */
export function hasScope(granted: string | undefined, name: string): boolean {
  return splitScopes(granted).includes(name);
}

function permissionText(permissions: Iterable<Permission>): string {
  const set = new Set(permissions);
  return PERMISSION_ORDER.filter((letter) => set.has(letter)).join("");
}

/** Return a scope in v2 form (`patient/*.read` becomes `patient/*.rs`); other scopes are returned unchanged. */
export function normalizeScope(raw: string): string {
  const scope = parseScope(raw);
  if (scope.kind === "other") return raw;
  return `${scope.context}/${scope.resourceType}.${permissionText(scope.permissions)}${scope.query}`;
}

export type ScopeStatus = "granted" | "partly-granted" | "denied" | "extra";

export interface ScopeComparisonRow {
  scope: string;
  status: ScopeStatus;
  /** For a partly granted resource scope: the permissions granted, in v2 form. */
  grantedAs?: string;
}

function resourceKey(scope: ResourceScope): string {
  return `${scope.context}/${scope.resourceType}${scope.query}`;
}

/** Collect the permissions granted per context, type and query; a v2 grant may be split over several scopes. */
function grantedPermissions(granted: string[]): Map<string, Set<Permission>> {
  const byKey = new Map<string, Set<Permission>>();
  for (const raw of granted) {
    const scope = parseScope(raw);
    if (scope.kind !== "resource") continue;
    const key = resourceKey(scope);
    const set = byKey.get(key) ?? new Set<Permission>();
    scope.permissions.forEach((permission) => set.add(permission));
    byKey.set(key, set);
  }
  return byKey;
}

function compareOne(raw: string, grantedSet: Set<string>, permissionsByKey: Map<string, Set<Permission>>): ScopeComparisonRow {
  const scope = parseScope(raw);
  if (scope.kind === "other") return { scope: raw, status: grantedSet.has(raw) ? "granted" : "denied" };

  const granted = permissionsByKey.get(resourceKey(scope)) ?? new Set<Permission>();
  const kept = [...scope.permissions].filter((permission) => granted.has(permission));
  if (kept.length === scope.permissions.size) return { scope: raw, status: "granted" };
  if (kept.length === 0) return { scope: raw, status: "denied" };
  return { scope: raw, status: "partly-granted", grantedAs: `${resourceKey(scope).replace(scope.query, "")}.${permissionText(kept)}${scope.query}` };
}

/**
 * Compare requested with granted scopes, one row per requested scope plus a
 * row for each granted scope that was not requested. v1 and v2 forms of the
 * same permission count as equal.
 */
export function compareScopes(requested: string, granted: string): ScopeComparisonRow[] {
  const requestedList = splitScopes(requested);
  const grantedList = splitScopes(granted);
  const grantedSet = new Set(grantedList);
  const permissionsByKey = grantedPermissions(grantedList);
  const rows = requestedList.map((raw) => compareOne(raw, grantedSet, permissionsByKey));

  const requestedNormalized = requestedList.map(parseScope);
  for (const raw of grantedList) {
    const scope = parseScope(raw);
    const covered = requestedNormalized.some((asked) => {
      if (scope.kind === "other" || asked.kind === "other") return asked.raw === raw;
      return resourceKey(asked) === resourceKey(scope) && [...scope.permissions].every((permission) => asked.permissions.has(permission));
    });
    if (!covered) rows.push({ scope: raw, status: "extra" });
  }
  return rows;
}

/** Return true when `granted` lets the holder read resources of `resourceType` in `context` (for example a patient scope). */
export function grantsRead(granted: string, context: ResourceScope["context"], resourceType: string): boolean {
  return splitScopes(granted).some((raw) => {
    const scope = parseScope(raw);
    return scope.kind === "resource" && scope.context === context && (scope.resourceType === "*" || scope.resourceType === resourceType) && scope.permissions.has("r");
  });
}

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: "Confirm who you are",
  fhirUser: "Know which person in the health record you are",
  profile: "See your name",
  launch: "Use the patient and encounter open in the EHR",
  "launch/patient": "Ask which patient to use",
  "launch/encounter": "Ask which encounter to use",
  offline_access: "Stay connected after you sign out",
  online_access: "Stay connected while you are signed in",
};

const PERMISSION_WORDS: Record<Permission, string> = { c: "create", r: "read", u: "update", d: "delete", s: "search" };

/** Describe what a scope allows, in words a patient or clinician can follow. */
export function describeScope(raw: string): string {
  const scope = parseScope(raw);
  if (scope.kind === "other") return SCOPE_DESCRIPTIONS[raw] ?? "Permission defined by the server";

  const verbs = PERMISSION_ORDER.filter((letter) => scope.permissions.has(letter)).map((letter) => PERMISSION_WORDS[letter]);
  const what = scope.resourceType === "*" ? "all data" : `${scope.resourceType} data`;
  let whose = "for the whole system";
  if (scope.context === "patient") whose = "of the patient in context";
  if (scope.context === "user") whose = "that you may access";
  const limit = scope.query ? ` (only ${scope.query.slice(1)})` : "";
  const sentence = `${verbs.join(", ")} ${what} ${whose}${limit}`;
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
