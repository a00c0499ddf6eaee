import { escapeHtml, sandboxHtmlResponse } from "./html";

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
    { status: error.status, headers: error.headers },
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

/** Next step that the error pages give the user. */
const NEXT_STEP = "Go back to the app and sign in again: each sign-in step expires after 10 minutes and can be sent only once. If the same error comes back, show this page to whoever set up the app.";

/**
 * Render the HTML page shown instead of a redirect. The authorization endpoint
 * shows it when the client or its redirect URI is not registered, because it
 * must not redirect to an unverified URI (RFC 6749 §4.1.2.1). The sign-in and
 * consent steps show it when their sealed request is missing, invalid or expired.
 */
export function oauthErrorPage(error: OAuthError): Response {
  const main = `<main><div class="card error-page" role="alert" aria-labelledby="title">
<h1 id="title">This sign-in request cannot continue</h1>
<p>${escapeHtml(error.description)}</p>
<p><strong>What to do:</strong> ${escapeHtml(NEXT_STEP)}</p>
<p class="muted">Error code: <code>${escapeHtml(error.code)}</code></p>
</div></main>`;
  return sandboxHtmlResponse("Sign-in error", main, { status: error.status, headers: error.headers });
}
