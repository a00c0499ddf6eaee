import { getConfig } from "@/lib/config";
import { log } from "@/lib/log";
import { sandboxDisabledResponse } from "@/lib/sandbox/guard";
import { OAuthError, oauthErrorJson, oauthErrorPage } from "./errors";

/**
 * Request parsing shared by the sandbox authorization server's route handlers.
 */

/**
 * Return true when the sandbox authorization server serves requests: the
 * sandbox is on and the app uses it instead of a Descope project. With
 * DESCOPE_PROJECT_ID set, the configured issuer and client belong to Descope,
 * so the sandbox could not issue tokens that match them.
 */
export function isSandboxAuthServerEnabled(): boolean {
  const config = getConfig();
  return config.sandbox.enabled && config.authServer.mode === "sandbox";
}

/** Return a 404 response when the sandbox authorization server is off, or undefined when requests may proceed. */
export function authServerDisabledResponse(): Response | undefined {
  const disabled = sandboxDisabledResponse();
  if (disabled || isSandboxAuthServerEnabled()) return disabled;
  return new Response("Not found", { status: 404, headers: { "content-type": "text/plain" } });
}

/**
 * Read the parameters of a request: the query of a GET, the body of a POST.
 * A body may be form-encoded or JSON (Descope's documentation shows JSON,
 * its samples post forms). Throws `invalid_request` for any other body.
 */
export async function readParams(request: Request): Promise<URLSearchParams> {
  if (request.method === "GET" || request.method === "HEAD") return new URL(request.url).searchParams;

  const contentType = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  const body = await request.text();
  if (contentType === "application/x-www-form-urlencoded") return new URLSearchParams(body);
  if (contentType === "application/json") return jsonParams(body);
  throw new OAuthError("invalid_request", `The body must be application/x-www-form-urlencoded or application/json, got "${contentType ?? "none"}"`);
}

function jsonParams(body: string): URLSearchParams {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new OAuthError("invalid_request", "The JSON body is not valid JSON", { cause: error });
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) throw new OAuthError("invalid_request", "The JSON body must be an object");

  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(json)) {
    if (value === null || value === undefined) continue;
    if (typeof value !== "string") throw new OAuthError("invalid_request", `"${name}" must be a string`);
    params.set(name, value);
  }
  return params;
}

/**
 * Return the single value of parameter `name`, or undefined when it is absent or empty.
 * Throws `invalid_request` when it is repeated (RFC 6749 §3.1) or longer than `maxLength`.
 */
export function singleParam(params: URLSearchParams, name: string, maxLength = 4096): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) throw new OAuthError("invalid_request", `"${name}" must not be repeated`);
  const value = values[0];
  if (value === undefined || value === "") return undefined;
  if (value.length > maxLength) throw new OAuthError("invalid_request", `"${name}" is longer than ${maxLength} characters`);
  return value;
}

/**
 * Reject a form post that a browser sent from another site: the sign-in and
 * consent forms only accept posts from the app's own origin.
 *
 * `Sec-Fetch-Site` decides when present, because browsers set it themselves
 * and because the app's `Referrer-Policy: no-referrer` makes Chromium send
 * `Origin: null` even for same-origin posts. Without it, `Origin` must be the
 * app's origin. Clients that send neither header (HTTP libraries) pass,
 * because browsers send at least one of them on every form POST.
 */
export function assertSameOriginPost(request: Request): void {
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite !== null) {
    if (fetchSite !== "same-origin") {
      throw new OAuthError("invalid_request", `The form was posted from another site`, { status: 403, cause: { fetchSite } });
    }
    return;
  }

  const origin = request.headers.get("origin");
  const ownOrigin = new URL(getConfig().baseUrl).origin;
  if (origin !== null && origin !== ownOrigin) {
    throw new OAuthError("invalid_request", `The form was posted from another origin`, { status: 403, cause: { origin, expected: ownOrigin } });
  }
}

/** Return a 303 redirect, which makes the browser follow with a GET after a form POST. */
export function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
}

/**
 * Turn an error thrown by an endpoint into its JSON error response; an
 * unexpected error is logged and becomes `server_error`.
 */
export function jsonErrorResponse(error: unknown, event: string): Response {
  if (error instanceof OAuthError) {
    log.info(event, { error: error.code, description: error.description, cause: error.cause });
    return oauthErrorJson(error);
  }
  log.error(event, { error });
  return oauthErrorJson(new OAuthError("server_error", "The sandbox authorization server failed; see its log"));
}

/**
 * Turn an error thrown while handling a browser request into an HTML error
 * page; an unexpected error is logged and shown as `server_error`.
 */
export function pageErrorResponse(error: unknown, event: string): Response {
  if (error instanceof OAuthError) {
    log.info(event, { error: error.code, description: error.description, cause: error.cause });
    return oauthErrorPage(error);
  }
  log.error(event, { error });
  return oauthErrorPage(new OAuthError("server_error", "The sandbox authorization server failed; see its log"));
}

/** Return public JSON such as discovery metadata or a key set, readable from any origin. */
export function publicJson(body: unknown): Response {
  return Response.json(body, { headers: { "access-control-allow-origin": "*", "cache-control": "public, max-age=300" } });
}
