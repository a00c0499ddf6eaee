import { getConfig } from "@/lib/config";
import { contentSecurityPolicy, JSON_CONTENT_SECURITY_POLICY, securityHeaders } from "./security-headers";

/**
 * Kind of response a route handler returns to the browser:
 * - "document": navigations, often inside the EHR's frame (redirects and HTML
 *   error pages). They get the app's CSP without scripts and the trusted EHRs
 *   as frame ancestors, as the middleware gives pages.
 * - "json": responses read with fetch. They get a CSP that allows nothing and
 *   forbids framing, and X-Frame-Options DENY.
 */
export type RouteResponseKind = "document" | "json";

/**
 * Wrap a route handler that the middleware skips (see `config.matcher` in
 * middleware.ts), so that its responses carry the security headers the
 * middleware would add. A response that already has a CSP keeps it: the
 * callback's popup hand-back page sets one with its script's nonce.
 * The handler's responses must have mutable headers, as `new Response` and
 * `Response.json` give; `Response.redirect` would make `set` throw.
 */
export function withSecurityHeaders<Args extends unknown[]>(kind: RouteResponseKind, handler: (...args: Args) => Response | Promise<Response>): (...args: Args) => Promise<Response> {
  return async (...args: Args) => {
    const response = await handler(...args);
    const config = getConfig();
    const json = kind === "json";

    if (!response.headers.has("content-security-policy")) {
      response.headers.set("content-security-policy", json ? JSON_CONTENT_SECURITY_POLICY : contentSecurityPolicy(config, null));
    }
    for (const [name, value] of Object.entries(securityHeaders(config, { neverFramed: json }))) response.headers.set(name, value);
    return response;
  };
}
