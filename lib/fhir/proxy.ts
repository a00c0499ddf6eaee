import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import type { LaunchRecord } from "@/lib/session/launch-record";

/** FHIR path segments: resource types, ids, operations (`$everything`) and `_history`. */
const SEGMENT = /^[A-Za-z0-9$_][A-Za-z0-9\-.$_]{0,127}$/;

/**
 * Build the upstream URL for a proxied FHIR request. Only paths below the
 * launch's own FHIR base are possible: every segment is checked, so `..`,
 * encoded slashes and absolute URLs cannot leave the base.
 */
export function upstreamUrl(fhirBase: string, segments: string[], search: string): URL {
  if (segments.length === 0 || segments.length > 4) {
    throw new AppError("invalid_request", `FHIR path must have 1 to 4 segments, got ${segments.length}`);
  }
  for (const segment of segments) {
    if (!SEGMENT.test(segment) || segment.includes("..")) {
      throw new AppError("invalid_request", `FHIR path segment is invalid`, { cause: { segment: segment.slice(0, 80) } });
    }
  }

  const base = fhirBase.replace(/\/+$/, "");
  const url = new URL(`${base}/${segments.join("/")}${search}`);
  if (!url.href.startsWith(`${base}/`)) {
    throw new AppError("invalid_request", `FHIR path leaves the FHIR base`);
  }
  return url;
}

/**
 * Rewrite a search Bundle's links to go through this launch's proxy. A link
 * outside the FHIR base is dropped, so the app never sends the token elsewhere.
 */
export function rewriteBundleLinks(body: unknown, fhirBase: string, proxyBase: string): unknown {
  if (!body || typeof body !== "object" || (body as { resourceType?: unknown }).resourceType !== "Bundle") return body;
  const bundle = body as { link?: Array<{ relation?: string; url?: string }> };
  if (!Array.isArray(bundle.link)) return body;

  const base = `${fhirBase.replace(/\/+$/, "")}/`;
  bundle.link = bundle.link
    .filter((link) => typeof link.url === "string" && link.url.startsWith(base))
    .map((link) => ({ ...link, url: `${proxyBase}/${link.url!.slice(base.length)}` }));
  return bundle;
}

/**
 * Return the JSON text the proxy sends to the browser: a search Bundle with its
 * links rewritten, or else the FHIR server's own text, which `fetchFhir` has
 * parsed as valid JSON, so it needs no second serialization. An empty body is `null`.
 */
export function proxyResponseText(result: UpstreamResult, fhirBase: string, proxyBase: string): string {
  const body = result.body as { resourceType?: unknown; link?: unknown } | null | undefined;
  if (body?.resourceType !== "Bundle" || !Array.isArray(body.link)) return result.text || "null";
  return JSON.stringify(rewriteBundleLinks(body, fhirBase, proxyBase));
}

export interface UpstreamResult {
  status: number;
  /** The parsed JSON body, or undefined when the body is empty. */
  body: unknown;
  /** The body as the FHIR server sent it. */
  text: string;
}

/**
 * Send a GET to the launch's FHIR server with its access token, within the
 * configured timeout. Returns the status and the body, which must be JSON.
 * A redirect is an error: the token must not follow it to another server.
 */
export async function fetchFhir(record: LaunchRecord, url: URL): Promise<UpstreamResult> {
  const { fhirTimeoutMs } = getConfig();
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${record.tokens!.accessToken}`, accept: "application/fhir+json" },
      redirect: "error",
      cache: "no-store",
      signal: AbortSignal.timeout(fhirTimeoutMs),
    });
  } catch (cause) {
    const timedOut = cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError");
    throw new AppError("fhir_unavailable", timedOut ? `FHIR server did not respond within ${fhirTimeoutMs} ms` : `FHIR request failed`, {
      cause: { url: url.origin + url.pathname, error: cause },
    });
  }

  const text = await response.text();
  try {
    return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
  } catch {
    throw new AppError("fhir_unavailable", `FHIR server responded with status ${response.status} and a body that is not JSON`, {
      cause: { url: url.origin + url.pathname, contentType: response.headers.get("content-type") },
    });
  }
}
