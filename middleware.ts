import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { contentSecurityPolicy, DESCOPE_FLOW_PATH, isNeverFramed, isSandboxEhrPage, isSandboxSignInPage, newNonce, securityHeaders } from "@/lib/http/security-headers";

/**
 * Adds security headers to every response and hides the sandbox when it is off.
 * The CSP nonce travels to Next.js in the request's CSP header, which is how
 * Next.js finds it for its own script tags.
 */
export function middleware(request: NextRequest) {
  const config = getConfig();
  if (request.nextUrl.pathname.startsWith("/sandbox") && !config.sandbox.enabled) {
    return new NextResponse("Not found", { status: 404, headers: { "content-type": "text/plain" } });
  }

  const nonce = newNonce();
  const { pathname } = request.nextUrl;
  const neverFramed = isNeverFramed(pathname, config);
  const policy = contentSecurityPolicy(config, nonce, {
    descopeFlow: pathname === DESCOPE_FLOW_PATH,
    neverFramed,
    sandboxSignIn: isSandboxSignInPage(pathname),
    sandboxEhr: isSandboxEhrPage(pathname),
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", policy);
  requestHeaders.set("x-nonce", nonce);

  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  for (const [name, value] of Object.entries(securityHeaders(config, { neverFramed }))) response.headers.set(name, value);
  return response;
}

/**
 * The middleware runs for every path except static files and the route
 * handlers below, which render no React and so need no nonce. Each of those
 * sets the same headers itself (`withSecurityHeaders`) and, under /sandbox,
 * returns 404 when the sandbox is off; docs/security.md reviews each one.
 * Skipping them saves the middleware's cost on every launch and FHIR read.
 * The patterns match whole routes only, so an unknown path such as
 * /api/other still gets the middleware and its not-found page the nonce.
 * Next.js needs the matcher as a literal, so it cannot be built from constants.
 */
export const config = {
  runtime: "nodejs",
  matcher: [
    "/((?!_next/static|_next/image|favicon.ico|api/health$|api/launches/[^/]+/fhir/|api/launches/[^/]+/patient$|launch$|callback$|sandbox/fhir(?:/|$)).*)",
  ],
};
