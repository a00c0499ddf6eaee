import type { NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { log } from "@/lib/log";
import { newRequestId, routeErrorResponse } from "@/lib/http/route-error";
import { isFramed } from "@/lib/http/fetch-metadata";
import { withSecurityHeaders } from "@/lib/http/route-security";
import { startAuthorization } from "@/lib/smart/authorize";
import { findTrustedIssuer, resolveLaunchContext, singleLaunchParameter } from "@/lib/smart/launch-context";
import { evictOldLaunches, saveLaunch } from "@/lib/session/launch-store";
import { PENDING_TTL_SECONDS } from "@/lib/session/launch-record";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * The app's launch URL: the EHR calls it with `iss` and `launch`
 * (SMART App Launch 2.2, "EHR launch"). The path is registered with EHRs, so keep it stable.
 */
async function handleLaunch(request: NextRequest) {
  const requestId = newRequestId();
  const params = request.nextUrl.searchParams;
  let launchId: string | undefined;

  try {
    const issuer = findTrustedIssuer(singleLaunchParameter(params, "iss"));
    const launch = singleLaunchParameter(params, "launch");
    const launchContext = await resolveLaunchContext(issuer, launch);
    const { record, authorizationUrl } = await startAuthorization({ kind: "ehr", iss: issuer.iss, launch: launch ?? undefined, launchContext });
    launchId = record.id;

    // Inside the EHR's frame, a login page that refuses framing would show a
    // browser error, so the login opens in a popup from our own page instead.
    const popup = getConfig().loginWhenFramed === "popup" && isFramed(request.headers);
    if (popup && record.pending) record.pending.popupAuthorizationUrl = authorizationUrl.href;

    await evictOldLaunches(requestId);
    await saveLaunch(record, PENDING_TTL_SECONDS, requestId);
    log.info("launch.started", { requestId, launchId, iss: issuer.iss, authServer: getConfig().authServer.mode, popup });
    const location = popup ? `${getConfig().baseUrl}/sign-in/${launchId}` : authorizationUrl.href;
    return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
  } catch (error) {
    return routeErrorResponse(error, "launch.failed", { requestId, launchId }, request);
  }
}

export const GET = withSecurityHeaders("document", handleLaunch);
