import type { AppConfig } from "@/lib/config";

/**
 * Origins allowed to frame the app: every trusted EHR's frame ancestors, plus
 * the app itself (the sandbox EHR frames it from the same origin).
 */
export function frameAncestors(config: AppConfig): string[] {
  const origins = new Set<string>(["'self'"]);
  for (const issuer of config.trustedIssuers) issuer.frameAncestors.forEach((origin) => origins.add(origin));
  return [...origins];
}

/** Path of the page that runs the Descope consent flow (the Inbound App's Flow Hosting URL). */
export const DESCOPE_FLOW_PATH = "/descope/consent";

/**
 * Sources the Descope flow web component (@descope/web-component 4.3) needs
 * besides 'self': the Descope API, the flow pages (from DESCOPE_STATIC_URL,
 * or else `{DESCOPE_BASE_URL}/pages` with static.descope.com and
 * static2.descope.com as the SDK's fallbacks), and the fonts and styles that
 * Descope's CSP guide lists. Scripts need no entry: 'strict-dynamic' trusts
 * the scripts the component injects. Empty in sandbox mode.
 */
export function descopeFlowSources(config: AppConfig): { connect: string[]; img: string[]; font: string[]; style: string[] } {
  const { authServer } = config;
  if (authServer.mode !== "descope") return { connect: [], img: [], font: [], style: [] };
  const api = new URL(authServer.descopeBaseUrl).origin;
  const pages = authServer.staticUrl ? [new URL(authServer.staticUrl).origin] : [api, "https://static.descope.com", "https://static2.descope.com"];
  const cdn = authServer.cdnUrl ? [new URL(authServer.cdnUrl).origin] : [];
  const unique = (items: string[]) => [...new Set(items)];
  return {
    connect: unique([api, ...pages]),
    img: unique(pages),
    font: unique([...cdn, "https://descopecdn.com", "https://fonts.gstatic.com", "data:"]),
    style: ["https://fonts.googleapis.com"],
  };
}

/**
 * Origins of the sandbox public client's extra redirect URIs. Chromium applies
 * `form-action` to the redirect that follows a form post too, so the sandbox
 * sign-in and consent forms, which end in a redirect to the client, must list them.
 */
function sandboxRedirectOrigins(config: AppConfig): string[] {
  return [...new Set(config.sandbox.extraRedirectUris.map((uri) => new URL(uri).origin))];
}

/**
 * Build the Content-Security-Policy for a response. Scripts run only with the
 * per-request nonce (Next.js adds it to its own scripts), and not at all when
 * `nonce` is null. Styles allow inline because React sets `style` attributes
 * and the root layout inlines the app stylesheet.
 * `options.descopeFlow` widens the policy for the Descope consent page only.
 * `options.neverFramed` forbids all framing. `options.sandboxSignIn` lets the
 * sandbox sign-in and consent forms redirect to extra redirect URIs.
 * `options.sandboxEhr` lets the sandbox EHR's launch form redirect to the app.
 */
export function contentSecurityPolicy(
  config: AppConfig,
  nonce: string | null,
  options: { descopeFlow?: boolean; neverFramed?: boolean; sandboxSignIn?: boolean; sandboxEhr?: boolean } = {},
): string {
  const development = process.env.NODE_ENV === "development";
  const descope = options.descopeFlow ? descopeFlowSources(config) : { connect: [], img: [], font: [], style: [] };
  const withSources = (base: string, extra: string[]) => [base, ...extra].join(" ");
  const scripts = nonce === null ? "script-src 'none'" : `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`;
  return [
    "default-src 'self'",
    scripts,
    withSources("style-src 'self' 'unsafe-inline'", descope.style),
    withSources("img-src 'self' data:", descope.img),
    withSources("font-src 'self'", descope.font),
    withSources("connect-src 'self'", descope.connect),
    // The sandbox EHR may run on another loopback site than the app it frames.
    `frame-src 'self' ${new URL(config.baseUrl).origin}`,
    `frame-ancestors ${options.neverFramed ? "'none'" : frameAncestors(config).join(" ")}`,
    // form-action also covers the redirects after a form is sent, and the EHR may run on another loopback site than the app.
    ["form-action 'self'", ...(options.sandboxSignIn ? sandboxRedirectOrigins(config) : []), ...(options.sandboxEhr ? [new URL(config.baseUrl).origin] : [])].join(" "),
    "base-uri 'none'",
    "object-src 'none'",
  ].join("; ");
}

/**
 * Headers every response carries besides the CSP. There is deliberately no
 * Cross-Origin-Opener-Policy: the login popup must keep its `window.opener`
 * to hand the authorization response back to the framed app.
 */
export const STATIC_SECURITY_HEADERS: Record<string, string> = {
  // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null"
  // on form posts, which would defeat the Origin checks against cross-site requests.
  "referrer-policy": "same-origin",
  "x-content-type-options": "nosniff",
  "permissions-policy": "camera=(), microphone=(), geolocation=()",
};

/**
 * Return the headers a response carries besides the CSP: the static ones,
 * HSTS when the app is served over HTTPS, and X-Frame-Options DENY for
 * responses that are never framed.
 */
export function securityHeaders(config: AppConfig, options: { neverFramed: boolean }): Record<string, string> {
  const headers = { ...STATIC_SECURITY_HEADERS };
  if (options.neverFramed) headers["x-frame-options"] = "DENY";
  if (config.baseUrl.startsWith("https://")) headers["strict-transport-security"] = "max-age=63072000; includeSubDomains";
  return headers;
}

/**
 * CSP of JSON responses, which browsers read with fetch and never render:
 * nothing may load from them, and no page may frame them.
 */
export const JSON_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** Return a fresh CSP nonce: 16 random bytes in base64. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

/**
 * Return true for pages that are never shown inside another page: the status
 * page, the sandbox EHR (it is the top-level window that frames the app), and
 * the sandbox login when it plays a login page that refuses framing.
 */
export function isNeverFramed(pathname: string, config: AppConfig): boolean {
  if (pathname === "/status" || isSandboxEhrPage(pathname)) return true;
  return isSandboxSignInPage(pathname) && config.sandbox.loginRefusesFraming;
}

/** Return true for the sandbox EHR's pages. */
export function isSandboxEhrPage(pathname: string): boolean {
  return pathname === "/sandbox/ehr" || pathname.startsWith("/sandbox/ehr/");
}

/** Return true for the sandbox authorization server's sign-in and consent pages. */
export function isSandboxSignInPage(pathname: string): boolean {
  return pathname.startsWith("/sandbox/descope/login") || pathname.startsWith("/sandbox/descope/consent");
}
