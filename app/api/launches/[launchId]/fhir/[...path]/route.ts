import type { NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { AppError, ERROR_CODES, toAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { newRequestId } from "@/lib/http/route-error";
import { withSecurityHeaders } from "@/lib/http/route-security";
import { fetchForLaunch } from "@/lib/fhir/launch-fetch";
import { proxyResponseText, upstreamUrl } from "@/lib/fhir/proxy";
import { openLaunch } from "@/lib/session/launch-lifecycle";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

function errorJson(error: AppError, requestId: string, upstreamStatus?: number): Response {
  const text = ERROR_CODES[error.code];
  return Response.json(
    { error: { code: error.code, title: text.title, message: text.message, action: text.action, requestId, upstreamStatus } },
    { status: error.status, headers: { "cache-control": "no-store" } },
  );
}

/**
 * Same-origin FHIR proxy for one launch: the browser sends its request here, and the server
 * adds the launch's access token, so the token never reaches the browser.
 */
async function handleFhirRead(request: NextRequest, { params }: { params: Promise<{ launchId: string; path: string[] }> }) {
  const requestId = newRequestId();
  const { launchId, path } = await params;

  try {
    const record = await openLaunch(launchId, requestId);
    const url = upstreamUrl(record.iss, path, request.nextUrl.search);
    const { result } = await fetchForLaunch(record, url, requestId);
    const { status } = result;

    if (status >= 500) throw new AppError("fhir_unavailable", `FHIR server responded with status ${status}`, { cause: { path: url.pathname } });
    // The response goes to the browser unchanged, and the log line lets support match it to its request.
    if (status >= 400) log.warn("fhir.upstream_status", { requestId, launchId, status, path: url.pathname.slice(0, 200) });

    const proxyBase = `${getConfig().baseUrl}/api/launches/${launchId}/fhir`;
    return new Response(proxyResponseText(result, record.iss, proxyBase), {
      status,
      headers: { "content-type": "application/fhir+json", "cache-control": "no-store" },
    });
  } catch (error) {
    const appError = toAppError(error);
    log[appError.status >= 500 ? "error" : "warn"]("fhir.failed", { requestId, launchId, errorCode: appError.code, detail: appError.message, cause: appError.cause });
    return errorJson(appError, requestId);
  }
}

export const GET = withSecurityHeaders("json", handleFhirRead);
