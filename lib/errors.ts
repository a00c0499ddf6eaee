/**
 * The one error type the app shows to people. Each code has an HTTP status, a
 * title and a message that are safe to show in the browser, and a next step.
 * Details for the logs go in `cause`, never in the message.
 */
export const ERROR_CODES = {
  untrusted_issuer: {
    status: 400,
    title: "This EHR is not trusted",
    message: "The app was opened from a FHIR server that is not on its list of trusted servers.",
    action: "Open the app again from your EHR. If this keeps happening, ask your administrator to add the server to TRUSTED_ISSUERS.",
  },
  invalid_launch_request: {
    status: 400,
    title: "The launch request is incomplete",
    message: "The EHR opened the app without the parameters a SMART launch needs.",
    action: "Open the app again from your EHR.",
  },
  invalid_launch_token: {
    status: 400,
    title: "The launch could not be verified",
    message: "The EHR's launch token is invalid, expired or was already used.",
    action: "Open the app again from your EHR; each launch link works once, for a few minutes.",
  },
  unknown_launch_state: {
    status: 400,
    title: "This sign-in is not known or has expired",
    message: "The app has no record of this sign-in. It may have expired, been completed already, or started in another browser.",
    action: "Open the app again from your EHR, or start a new sign-in.",
  },
  cookies_blocked: {
    status: 400,
    title: "The browser blocked the app's cookie",
    message: "The app could not find its sign-in cookie in this frame. Browsers block cookies in frames from other sites unless the cookie is partitioned.",
    action: "Open the app in a new window from your EHR, or allow cookies for this site, then launch again.",
  },
  authorization_denied: {
    status: 403,
    title: "Access was not granted",
    message: "The sign-in ended without granting the app access.",
    action: "Open the app again from your EHR, or sign in again, and approve access to continue.",
  },
  authorization_error: {
    status: 400,
    title: "The sign-in failed",
    message: "The authorization server returned an error.",
    action: "Open the app again from your EHR. If this keeps happening, contact your administrator.",
  },
  authorization_code_rejected: {
    status: 400,
    title: "The sign-in was not accepted",
    message: "The authorization server rejected this sign-in when the app redeemed it: it took too long, was already used, or belongs to another sign-in.",
    action: "Open the app again from your EHR, or start a new sign-in.",
  },
  token_exchange_failed: {
    status: 502,
    title: "The sign-in could not be completed",
    message: "The authorization server did not issue a valid token.",
    action: "Open the app again from your EHR. If this keeps happening, contact your administrator.",
  },
  invalid_token: {
    status: 502,
    title: "The token could not be verified",
    message: "The token from the authorization server failed verification, so the app did not use it.",
    action: "Open the app again from your EHR. If this keeps happening, contact your administrator.",
  },
  authorization_server_unavailable: {
    status: 502,
    title: "The sign-in service is unavailable",
    message: "The app could not reach the authorization server.",
    action: "Try again in a minute.",
  },
  launch_not_found: {
    status: 401,
    title: "Your session has ended",
    message: "This app session expired, was signed out, was closed because too many patients were open at once in this browser, or belongs to another browser.",
    action: "Open the app again from your EHR, or sign in again.",
  },
  refresh_failed: {
    status: 401,
    title: "Your access has expired",
    message: "The app could not renew its access to the health record.",
    action: "Open the app again from your EHR, or sign in again. Your other open patients are not affected.",
  },
  session_expired: {
    status: 401,
    title: "Your session has expired",
    message: "This app session reached its time limit, so the app ended it.",
    action: "Open the app again from your EHR, or sign in again.",
  },
  forbidden: {
    status: 403,
    title: "Request not allowed",
    message: "The app rejected this request because it did not come from the app's own pages.",
    action: "Go back to the app and use its buttons.",
  },
  patient_not_allowed: {
    status: 403,
    title: "Patient not available",
    message: "This launch cannot switch to that patient.",
    action: "Open the app again and choose the patient there.",
  },
  fhir_unavailable: {
    status: 502,
    title: "The health record server is unavailable",
    message: "The FHIR server did not respond, or its response was invalid.",
    action: "Try again in a minute. If this keeps happening, contact your administrator.",
  },
  invalid_request: {
    status: 400,
    title: "The request is invalid",
    message: "The app could not process this request.",
    action: "Go back and try again.",
  },
  internal_error: {
    status: 500,
    title: "Something went wrong",
    message: "The app hit an unexpected error.",
    action: "Try again. If this keeps happening, contact your administrator.",
  },
} as const satisfies Record<string, { status: number; title: string; message: string; action: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Codes whose next step includes signing in again. Their pages link to the
 * start page, except inside the EHR's frame: a sign-in started there would not
 * be tied to the chart around it.
 */
export const RESTARTABLE_CODES: ReadonlySet<ErrorCode> = new Set([
  "launch_not_found",
  "session_expired",
  "refresh_failed",
  "unknown_launch_state",
  "authorization_denied",
  "authorization_code_rejected",
]);

export class AppError extends Error {
  readonly status: number;

  /**
   * @param code the stable code that picks the status and the browser-safe text
   * @param detail what went wrong, for the logs only
   * @param options.cause expected and actual values or the underlying error, for the logs only
   * @param options.publicDetail text from a peer (for example `error_description`) that may be shown as plain text
   */
  constructor(
    readonly code: ErrorCode,
    detail: string,
    readonly options: { cause?: unknown; publicDetail?: string } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = "AppError";
    this.status = ERROR_CODES[code].status;
  }
}

/** Return `error` as an AppError, turning anything unexpected into `internal_error`. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError("internal_error", error instanceof Error ? error.message : String(error), { cause: error });
}
