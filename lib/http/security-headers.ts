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

/**
 * Build the Content-Security-Policy for a response. Scripts run only with the
 * per-request nonce (Next.js adds it to its own scripts); styles allow inline
 * because React sets `style` attributes.
 */
export function contentSecurityPolicy(config: AppConfig, nonce: string): string {
  const development = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    `frame-src 'self'`,
    `frame-ancestors ${frameAncestors(config).join(" ")}`,
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join("; ");
}

/** Headers every response carries besides the CSP. */
export const STATIC_SECURITY_HEADERS: Record<string, string> = {
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "cross-origin-opener-policy": "same-origin-allow-popups",
  "permissions-policy": "camera=(), microphone=(), geolocation=()",
};
