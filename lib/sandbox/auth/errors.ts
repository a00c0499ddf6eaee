/**
 * The sandbox authorization server's one error type. Its codes are the OAuth
 * 2.0 and OpenID Connect error codes, so an error can go back to a client as is.
 * The token endpoint sends it as JSON (RFC 6749 §5.2) and the authorization
 * endpoint as a redirect (RFC 6749 §4.1.2.1), or as an HTML page when the
 * redirect URI cannot be trusted.
 */
export const OAUTH_ERROR_STATUS = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  unsupported_response_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  access_denied: 403,
  login_required: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  server_error: 500,
} as const;

export type OAuthErrorCode = keyof typeof OAUTH_ERROR_STATUS;

export interface OAuthErrorOptions {
  /** Expected and actual values or the underlying error, for the logs only. */
  cause?: unknown;
  /** HTTP status when it differs from the code's usual one. */
  status?: number;
  /** Extra response headers, such as `WWW-Authenticate`. */
  headers?: Record<string, string>;
}

export class OAuthError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;

  /**
   * @param code the OAuth error code sent to the client
   * @param description the `error_description` sent to the client: it names the parameter in quotes and never contains a credential
   */
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    options: OAuthErrorOptions = {},
  ) {
    super(description, { cause: options.cause });
    this.name = "OAuthError";
    this.status = options.status ?? OAUTH_ERROR_STATUS[code];
    this.headers = options.headers ?? {};
  }
}

/** Headers of every response that carries tokens or codes (RFC 6749 §5.1). */
export const NO_STORE_HEADERS = { "cache-control": "no-store", pragma: "no-cache" } as const;

/** Render `error` as the JSON error response of RFC 6749 §5.2. */
export function oauthErrorJson(error: OAuthError): Response {
  return Response.json(
    { error: error.code, error_description: error.description },
    { status: error.status, headers: { ...NO_STORE_HEADERS, ...error.headers } },
  );
}

/**
 * Return `redirectUri` with the error response parameters of RFC 6749 §4.1.2.1
 * and the `iss` parameter of RFC 9207 added to its query.
 */
export function errorRedirectUrl(redirectUri: string, error: OAuthError, state: string | undefined, issuer: string): string {
  const url = new URL(redirectUri);
  url.searchParams.set("error", error.code);
  url.searchParams.set("error_description", error.description);
  if (state !== undefined) url.searchParams.set("state", state);
  url.searchParams.set("iss", issuer);
  return url.toString();
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/**
 * Render the HTML page the authorization endpoint returns instead of a
 * redirect, when the client or its redirect URI is not registered
 * (RFC 6749 §4.1.2.1: the server must not redirect to an unverified URI).
 */
export function oauthErrorPage(error: OAuthError): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in error</title>
<style>body{font-family:system-ui,sans-serif;background:#f7f8fa;color:#1c2430;margin:0}main{max-width:640px;margin:2rem auto;padding:1.5rem;background:#fff;border:1px solid #d7dce3;border-left:4px solid #b3261e;border-radius:6px}</style>
</head><body><main role="alert" aria-labelledby="title">
<h1 id="title">The sign-in request was rejected</h1>
<p>${escapeHtml(error.description)}</p>
<p>Error code: <code>${escapeHtml(error.code)}</code></p>
</main></body></html>`;
  return new Response(html, {
    status: error.status,
    headers: { "content-type": "text/html; charset=utf-8", ...NO_STORE_HEADERS, ...error.headers },
  });
}
