import type { OperationOutcome } from "@medplum/fhirtypes";

/**
 * Failures the sandbox FHIR server reports. Each code fixes the HTTP status and
 * the OperationOutcome `issue.code` (FHIR R4 IssueType value set).
 */
export const FHIR_ERROR_CODES = {
  invalid_search: { status: 400, issueCode: "invalid" },
  not_supported: { status: 400, issueCode: "not-supported" },
  invalid_token: { status: 401, issueCode: "login" },
  insufficient_scope: { status: 403, issueCode: "forbidden" },
  not_found: { status: 404, issueCode: "not-found" },
  method_not_allowed: { status: 405, issueCode: "not-supported" },
  internal_error: { status: 500, issueCode: "exception" },
} as const satisfies Record<string, { status: number; issueCode: string }>;

export type FhirErrorCode = keyof typeof FHIR_ERROR_CODES;

/**
 * The one error type of the sandbox FHIR server. Its message goes to the client
 * in the OperationOutcome, so it must never contain a token or other secret.
 */
export class FhirServerError extends Error {
  readonly status: number;

  /**
   * @param code picks the HTTP status and the issue code
   * @param message shown to the client: what failed, on which value, and what to do next
   * @param options.requiredScope for `insufficient_scope`, a scope that would have allowed the request
   */
  constructor(
    readonly code: FhirErrorCode,
    message: string,
    readonly options: { cause?: unknown; requiredScope?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "FhirServerError";
    this.status = FHIR_ERROR_CODES[code].status;
  }
}

/** Return an OperationOutcome with one error issue carrying `message`. */
export function toOperationOutcome(code: FhirErrorCode, message: string): OperationOutcome {
  return {
    resourceType: "OperationOutcome",
    issue: [{ severity: "error", code: FHIR_ERROR_CODES[code].issueCode, diagnostics: message, details: { text: message } }],
  };
}
