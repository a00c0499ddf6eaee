/**
 * Browser-side access to a launch's FHIR data, always through the app's own
 * same-origin proxy: the browser never holds the access token.
 */
export class FhirRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly action: string,
    message: string,
  ) {
    super(message);
    this.name = "FhirRequestError";
  }
}

interface ProxyErrorBody {
  error?: { code?: string; title?: string; message?: string; action?: string };
  resourceType?: string;
  issue?: Array<{ diagnostics?: string; details?: { text?: string } }>;
}

function toError(status: number, body: ProxyErrorBody | undefined): FhirRequestError {
  if (body?.error) {
    const { code = "unknown", title = "Request failed", message = "", action = "Try again." } = body.error;
    return new FhirRequestError(status, code, title, action, message);
  }
  const issue = body?.resourceType === "OperationOutcome" ? body.issue?.[0] : undefined;
  const detail = issue?.details?.text ?? issue?.diagnostics ?? `The FHIR server responded with status ${status}.`;
  const title = status === 404 ? "Not found" : status === 403 ? "Access not granted" : "The FHIR request failed";
  return new FhirRequestError(status, status === 404 ? "not_found" : "fhir_error", title, "Try again, or open the app again from your EHR.", detail);
}

/** GET `path` (for example `Patient/123` or `Observation?patient=123`) from a launch's FHIR server. */
export async function fetchLaunchFhir<T>(launchId: string, path: string): Promise<T> {
  const response = await fetch(`/api/launches/${encodeURIComponent(launchId)}/fhir/${path}`, {
    headers: { accept: "application/fhir+json" },
    cache: "no-store",
  });
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!response.ok) throw toError(response.status, body as ProxyErrorBody | undefined);
  return body as T;
}
