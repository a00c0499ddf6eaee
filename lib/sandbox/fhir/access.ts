import { evalFhirPath, getSearchParameter, matchesSearchRequest, parseSearchRequest } from "@medplum/core";
import type { Resource } from "@medplum/fhirtypes";
import { getPatientCompartmentParams } from "./definitions";
import { FhirServerError } from "./errors";
import { describeRequiredScope, parseScopes, scopesAllowing, searchFitsScopeParameters, type ResourceScope } from "./scopes";

/**
 * Access checks of the sandbox FHIR server: which reads and searches a token's
 * scopes allow, and how `patient/` scopes confine them to the patient in context.
 *
 * Choices the SMART App Launch specification leaves open:
 * - A `patient/` scope that reaches another patient's data gets 403 (not 404),
 *   for reads and for searches that name another patient.
 * - A `patient/` search without a patient parameter is confined to the patient
 *   in context instead of being rejected. A Patient search returns only that patient.
 * - Types outside the Patient compartment (Practitioner, Organization,
 *   Medication, Location) contain no patient data, so a `patient/` scope that
 *   names the type, or `*`, allows reading and searching them.
 * - A scope with parameters (`patient/Observation.rs?category=laboratory`)
 *   allows reading only resources that match them, and searching only with
 *   exactly those parameter values.
 */

/** Permissions of an access token, taken from its claims. */
export interface AccessGrant {
  scopes: ResourceScope[];
  /** Patient id of the launch context (`patient` claim). */
  patient?: string;
  /** `fhirUser` claim, such as `Practitioner/sandbox-practitioner`; that resource may always be read. */
  fhirUser?: string;
}

/** Limits that the access check adds to a search the token may run. */
export interface SearchConfinement {
  /** When set, only this patient's resources may be returned. */
  patient?: string;
}

/**
 * Build the grant of an access token from its `scope`, `patient` and `fhirUser` claims.
 * A patient user (`fhirUser` `Patient/{id}`) may see only their own record, so
 * their `user/` scopes act as `patient/` scopes for their own Patient, whatever
 * the `patient` claim says.
 */
export function grantFromClaims(claims: { scope?: unknown; patient?: unknown; fhirUser?: unknown }): AccessGrant {
  const scopes = parseScopes(typeof claims.scope === "string" ? claims.scope : undefined);
  const fhirUser = typeof claims.fhirUser === "string" && claims.fhirUser !== "" ? claims.fhirUser : undefined;
  const patient = typeof claims.patient === "string" && claims.patient !== "" ? claims.patient : undefined;

  const ownPatient = fhirUser ? /^Patient\/([^/]+)$/.exec(fhirUser)?.[1] : undefined;
  if (ownPatient) {
    const confined = scopes.map((scope) => (scope.context === "user" ? { ...scope, context: "patient" as const } : scope));
    return { scopes: confined, patient: ownPatient, fhirUser };
  }
  return { scopes, patient, fhirUser };
}

/**
 * Throw FhirServerError `insufficient_scope` unless `grant` may read `resource`.
 * The resource named by the `fhirUser` claim is always readable.
 */
export function authorizeRead(grant: AccessGrant, resource: Resource): void {
  const reference = `${resource.resourceType}/${resource.id}`;
  if (grant.fhirUser === reference) return;

  const scopes = scopesAllowing(grant.scopes, "read", resource.resourceType);
  if (scopes.length === 0) {
    throw insufficientScope(`No scope of the access token allows reading ${resource.resourceType} resources.`, "read", resource.resourceType);
  }

  const allowed = scopes.some((scope) => scopeCoversResource(scope, grant, resource));
  if (!allowed) {
    throw insufficientScope(`The access token's scopes do not cover ${reference}, because it belongs to another patient or falls outside the scope's parameters.`, "read", resource.resourceType);
  }
}

function scopeCoversResource(scope: ResourceScope, grant: AccessGrant, resource: Resource): boolean {
  if (!matchesScopeParameters(scope, resource)) return false;
  if (scope.context === "user") return true;
  return grant.patient !== undefined && belongsToPatient(resource, grant.patient);
}

function matchesScopeParameters(scope: ResourceScope, resource: Resource): boolean {
  if (scope.parameters.length === 0) return true;
  try {
    const query: Record<string, string[]> = {};
    for (const [name, value] of scope.parameters) (query[name] ??= []).push(value);
    return matchesSearchRequest(resource, parseSearchRequest(resource.resourceType, query));
  } catch {
    // A scope parameter that does not parse for this type cannot match, so it grants nothing.
    return false;
  }
}

/**
 * Return true when `resource` is in the compartment of Patient `patientId`, or
 * is of a type outside the Patient compartment, which contains no patient data.
 */
export function belongsToPatient(resource: Resource, patientId: string): boolean {
  if (resource.resourceType === "Patient") return resource.id === patientId;

  const params = getPatientCompartmentParams(resource.resourceType);
  if (params.length === 0) return true;

  const target = `Patient/${patientId}`;
  return params.some((code) => referencesOf(resource, code).includes(target));
}

function referencesOf(resource: Resource, code: string): string[] {
  const expression = getSearchParameter(resource.resourceType, code)?.expression;
  if (!expression) return [];
  return evalFhirPath(expression, resource)
    .map((value) => (value && typeof value === "object" ? (value as { reference?: unknown }).reference : undefined))
    .filter((reference): reference is string => typeof reference === "string");
}

/**
 * Decide whether `grant` may search `resourceType` with `query` (the client's
 * parameters, with references already written as `Type/id`).
 * Returns the confinement to apply, or throws FhirServerError `insufficient_scope`.
 */
export function authorizeSearch(grant: AccessGrant, resourceType: string, query: Array<[string, string]>): SearchConfinement {
  const scopes = scopesAllowing(grant.scopes, "search", resourceType);
  if (scopes.length === 0) {
    throw insufficientScope(`No scope of the access token allows searching ${resourceType} resources.`, "search", resourceType);
  }

  const fitting = scopes.filter((scope) => searchFitsScopeParameters(scope, query));
  if (fitting.length === 0) {
    const limits = scopes.map((scope) => scope.scope).join(", ");
    throw insufficientScope(`The search must carry the parameters of one of the scopes ${limits}.`, "search", resourceType);
  }

  if (fitting.some((scope) => scope.context === "user")) return {};
  return confineToPatient(grant, resourceType, query);
}

function confineToPatient(grant: AccessGrant, resourceType: string, query: Array<[string, string]>): SearchConfinement {
  if (grant.patient === undefined) {
    throw insufficientScope(`The access token has only patient/ scopes for ${resourceType} but no patient in context.`, "search", resourceType);
  }
  const other = findOtherPatientReference(resourceType, query, grant.patient);
  if (other !== undefined) {
    throw insufficientScope(`The access token allows only the data of Patient/${grant.patient}, but the search asks for ${other}.`, "search", resourceType);
  }
  return { patient: grant.patient };
}

/** Return the first patient reference in `query` that names a patient other than `patientId`. */
function findOtherPatientReference(resourceType: string, query: Array<[string, string]>, patientId: string): string | undefined {
  const target = `Patient/${patientId}`;
  const patientParams = new Set(["patient", ...getPatientCompartmentParams(resourceType)]);
  if (resourceType === "Patient") patientParams.add("_id");

  for (const [name, value] of query) {
    if (!patientParams.has(name)) continue;
    for (const item of value.split(",")) {
      const isPatientReference = item.startsWith("Patient/") || resourceType === "Patient" || name === "patient";
      const named = item.startsWith("Patient/") ? item : `Patient/${item}`;
      if (isPatientReference && named !== target) return named;
    }
  }
  return undefined;
}

function insufficientScope(message: string, interaction: "read" | "search", resourceType: string): FhirServerError {
  return new FhirServerError("insufficient_scope", message, { requiredScope: describeRequiredScope("patient", interaction, resourceType) });
}
