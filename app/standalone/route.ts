import type { NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { log } from "@/lib/log";
import { newRequestId, routeErrorResponse } from "@/lib/http/route-error";
import { startAuthorization } from "@/lib/smart/authorize";
import { findTrustedIssuer, singleLaunchParameter } from "@/lib/smart/launch-context";
import { evictOldLaunches, saveLaunch } from "@/lib/session/launch-store";
import { PENDING_TTL_SECONDS } from "@/lib/session/launch-record";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Standalone launch (SMART App Launch 2.2, "Standalone launch"): the user
 * opens the app directly and picks a trusted FHIR server; the app requests
 * `launch/patient` so that the patient comes with the token.
 */
export async function GET(request: NextRequest) {
  const requestId = newRequestId();
  let launchId: string | undefined;

  // Without a server to sign in to, the start page lists the trusted ones.
  if (!request.nextUrl.searchParams.has("iss")) {
    return new Response(null, { status: 303, headers: { location: `${getConfig().baseUrl}/`, "cache-control": "no-store" } });
  }

  try {
    const issuer = findTrustedIssuer(singleLaunchParameter(request.nextUrl.searchParams, "iss"));
    const { record, authorizationUrl } = await startAuthorization({ kind: "standalone", iss: issuer.iss, launchContext: {} });
    launchId = record.id;

    await evictOldLaunches(requestId);
    await saveLaunch(record, PENDING_TTL_SECONDS, requestId);
    log.info("launch.started", { requestId, launchId, iss: issuer.iss, kind: "standalone" });
    return new Response(null, { status: 303, headers: { location: authorizationUrl.href, "cache-control": "no-store" } });
  } catch (error) {
    return routeErrorResponse(error, "launch.failed", { requestId, launchId }, request);
  }
}
