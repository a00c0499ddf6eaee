import type { NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { newRequestId, routeErrorResponse } from "@/lib/http/route-error";
import { launchIdFromState } from "@/lib/smart/authorize";
import { completeAuthorization, matchesPendingState } from "@/lib/smart/callback";
import { deleteLaunch, loadLaunch } from "@/lib/session/launch-store";
import { saveActiveLaunch } from "@/lib/session/launch-lifecycle";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * The app's redirect URI. It finds the launch by `state`, completes the
 * authorization, stores the tokens in the launch's cookie and opens the
 * launch's page. Any failure after `state` matched deletes the pending launch,
 * so no half-finished session is left behind.
 */
export async function GET(request: NextRequest) {
  const requestId = newRequestId();
  const params = request.nextUrl.searchParams;
  const launchId = launchIdFromState(params.get("state"));

  const record = launchId ? await loadLaunch(launchId) : undefined;
  if (!launchId || !record || !matchesPendingState(record, params.get("state"))) {
    const error = new AppError("unknown_launch_state", launchId ? `No pending launch for this "state"` : `Parameter "state" is missing or malformed`);
    return routeErrorResponse(error, "callback.failed", { requestId, launchId });
  }

  try {
    const completed = await completeAuthorization(params, record);
    await saveActiveLaunch({ ...completed, createdAt: Date.now(), lastSeenAt: Date.now() });
    log.info("callback.completed", { requestId, launchId, scope: completed.tokens?.scope, patient: completed.context?.patient });
    return new Response(null, { status: 303, headers: { location: `${getConfig().baseUrl}/launches/${launchId}`, "cache-control": "no-store" } });
  } catch (error) {
    await deleteLaunch(launchId);
    return routeErrorResponse(error, "callback.failed", { requestId, launchId });
  }
}
