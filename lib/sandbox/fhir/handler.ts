import { isResourceType } from "@medplum/core";
import type { OperationOutcome, Resource } from "@medplum/fhirtypes";
import { getConfig } from "@/lib/config";
import { log } from "@/lib/log";
import { authorizeRead, authorizeSearch, grantFromClaims, type AccessGrant } from "./access";
import { verifyAccessToken } from "./auth";
import { buildCapabilityStatement, buildSmartConfiguration } from "./capability";
import { loadFhirDefinitions } from "./definitions";
import { FhirServerError, toOperationOutcome } from "./errors";
import { buildSearchBundle, parseSandboxSearch, toSearchRequest } from "./search";
import { getSandboxRepository } from "./store";

/**
 * HTTP handling of the sandbox FHIR server at `/sandbox/fhir`: routing,
 * bearer token check, access check, and FHIR JSON responses. Reads and
 * searches only, so every other method gets 405.
 */

const FHIR_JSON = "application/fhir+json; charset=utf-8";
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const READ_METHODS = new Set(["GET", "HEAD"]);

/** Headers on every reply: no caching of patient data, and readable by browser apps on other origins. */
const COMMON_HEADERS = {
  "cache-control": "no-store",
  "access-control-allow-origin": "*",
  "access-control-expose-headers": "WWW-Authenticate, Location",
};

/**
 * Handle one request to the sandbox FHIR server and return its response.
 * `segments` is the path below the FHIR base, for example `["Patient", "123"]`.
 */
export async function handleFhirRequest(request: Request, segments: string[]): Promise<Response> {
  const started = performance.now();
  const route = routeLabel(segments);
  let response: Response;
  try {
    response = await dispatch(request, segments);
  } catch (error) {
    response = errorResponse(error, request.method, route);
  }
  log.debug("sandbox.fhir.request", { method: request.method, route, status: response.status, ms: Math.round(performance.now() - started) });
  return response;
}

/** Respond to a CORS preflight request, so browser apps served from other origins can send the Authorization header. */
export function handleFhirPreflight(): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...COMMON_HEADERS,
      "access-control-allow-methods": "GET, HEAD, OPTIONS",
      "access-control-allow-headers": "Authorization, Accept, Content-Type, Prefer",
      "access-control-max-age": "600",
    },
  });
}

async function dispatch(request: Request, segments: string[]): Promise<Response> {
  if (!READ_METHODS.has(request.method)) {
    throw new FhirServerError("method_not_allowed", `${request.method} is not allowed, because the sandbox FHIR server is read-only.`);
  }

  const config = getConfig();
  if (segments.length === 1 && segments[0] === "metadata") return fhirJson(buildCapabilityStatement(config));
  if (segments.length === 2 && segments[0] === ".well-known" && segments[1] === "smart-configuration") {
    return json(buildSmartConfiguration(config));
  }

  const claims = await verifyAccessToken(request.headers.get("authorization"));
  const grant = grantFromClaims(claims);
  loadFhirDefinitions();

  const [resourceType, id, ...rest] = segments;
  if (resourceType === undefined) {
    throw new FhirServerError("not_supported", "Searching all resource types at once is not supported. Search one type, for example GET Patient?name=smith.");
  }
  if (!isResourceType(resourceType)) throw new FhirServerError("not_found", `Unknown resource type "${resourceType}".`);
  if (rest.length > 0) throw new FhirServerError("not_supported", `"${segments.join("/")}" is not supported, because the sandbox serves only read (Type/id) and search (Type?...).`);

  if (id === undefined) return search(resourceType, new URL(request.url).searchParams, grant);
  return read(resourceType, id, grant);
}

async function read(resourceType: string, id: string, grant: AccessGrant): Promise<Response> {
  if (!FHIR_ID.test(id)) throw new FhirServerError("not_found", `${resourceType}/${id} not found: that is not a valid FHIR id.`);

  const repository = await getSandboxRepository();
  let resource: Resource;
  try {
    resource = await repository.readResource(resourceType, id);
  } catch (error) {
    throw new FhirServerError("not_found", `${resourceType}/${id} not found.`, { cause: error });
  }

  authorizeRead(grant, resource);
  return fhirJson(resource);
}

async function search(resourceType: string, params: URLSearchParams, grant: AccessGrant): Promise<Response> {
  const fhirBase = getConfig().sandbox.fhirBase;
  const sandboxSearch = parseSandboxSearch(resourceType, params, fhirBase);
  const confinement = authorizeSearch(grant, resourceType, sandboxSearch.query);

  const repository = await getSandboxRepository();
  const result = await repository.search(toSearchRequest(sandboxSearch, confinement));
  return fhirJson(buildSearchBundle(sandboxSearch, result, fhirBase));
}

function errorResponse(error: unknown, method: string, route: string): Response {
  if (!(error instanceof FhirServerError)) {
    log.error("sandbox.fhir.failed", { method, route, error });
    return fhirJson(toOperationOutcome("internal_error", "The sandbox FHIR server failed to process the request. See the server log for the error."), 500);
  }

  const headers: Record<string, string> = {};
  if (error.code === "invalid_token") {
    headers["www-authenticate"] = `Bearer error="invalid_token", error_description="${quotable(error.message)}"`;
    log.info("sandbox.fhir.token_rejected", { route, reason: error.message });
  }
  if (error.code === "insufficient_scope") {
    const scope = error.options.requiredScope ? `, scope="${quotable(error.options.requiredScope)}"` : "";
    headers["www-authenticate"] = `Bearer error="insufficient_scope", error_description="${quotable(error.message)}"${scope}`;
    log.info("sandbox.fhir.access_denied", { route, reason: error.message });
  }
  if (error.code === "method_not_allowed") headers.allow = "GET, HEAD, OPTIONS";
  return fhirJson(toOperationOutcome(error.code, error.message), error.status, headers);
}

/** Make `text` safe inside a quoted-string of a WWW-Authenticate header (RFC 6750 allows no `"` or `\` there). */
function quotable(text: string): string {
  return text.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, "?");
}

/** Return a path for the logs without ids or query values: `Observation` or `Observation/{id}`. */
function routeLabel(segments: string[]): string {
  if (segments.length >= 2 && segments[0] !== ".well-known") return `${segments[0]}/{id}`;
  return segments.join("/");
}

function fhirJson(body: Resource | OperationOutcome, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...COMMON_HEADERS, "content-type": FHIR_JSON, ...headers } });
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { ...COMMON_HEADERS, "content-type": "application/json; charset=utf-8" } });
}
