import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { contentSecurityPolicy, DESCOPE_FLOW_PATH, isNeverFramed, isSandboxSignInPage, STATIC_SECURITY_HEADERS } from "@/lib/http/security-headers";

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

  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const { pathname } = request.nextUrl;
  const neverFramed = isNeverFramed(pathname, config);
  const policy = contentSecurityPolicy(config, nonce, { descopeFlow: pathname === DESCOPE_FLOW_PATH, neverFramed, sandboxSignIn: isSandboxSignInPage(pathname) });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", policy);
  requestHeaders.set("x-nonce", nonce);

  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS)) response.headers.set(name, value);
  if (neverFramed) response.headers.set("x-frame-options", "DENY");
  if (config.baseUrl.startsWith("https://")) response.headers.set("strict-transport-security", "max-age=63072000; includeSubDomains");
  return response;
}

export const config = {
  runtime: "nodejs",
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
