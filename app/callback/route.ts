import type { NextRequest } from "next/server";
import { cookies } from "next/headers";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { HANDBACK_PARAMETER, popupHandbackResponse } from "@/lib/http/popup-handback";
import { newRequestId, routeErrorResponse } from "@/lib/http/route-error";
import { isFramed } from "@/lib/http/fetch-metadata";
import { withSecurityHeaders } from "@/lib/http/route-security";
import { launchIdFromState } from "@/lib/smart/authorize";
import { launchViewPath } from "@/lib/smart/intent";
import { completeAuthorization, matchesPendingState } from "@/lib/smart/callback";
import { LAUNCH_COOKIE_PREFIX, type LaunchRecord } from "@/lib/session/launch-record";
import { deleteLaunch, readLaunchCookie } from "@/lib/session/launch-store";
import { saveActiveLaunch } from "@/lib/session/launch-lifecycle";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function holdsAnyLaunchCookie(): Promise<boolean> {
  return (await cookies()).getAll().some((cookie) => cookie.name.startsWith(LAUNCH_COOKIE_PREFIX));
}

/** Return the response for a callback whose launch is not here, or whose login ran in a popup. */
async function earlyResponse(
  request: NextRequest,
  launchId: string | undefined,
  cookie: { record?: LaunchRecord; rejected: boolean },
  requestId: string,
): Promise<Response | undefined> {
  const { record, rejected } = cookie;
  const params = request.nextUrl.searchParams;
  const framed = isFramed(request.headers);
  const replayed = params.get(HANDBACK_PARAMETER) === "done";

  if (launchId && !framed && !replayed && (!record || record.pending?.popupAuthorizationUrl)) {
    log.info("callback.handback", { requestId, launchId, found: Boolean(record), cookieRejected: rejected });
    return popupHandbackResponse(requestId);
  }
  if (launchId && !record && framed && !(await holdsAnyLaunchCookie())) {
    return routeErrorResponse(new AppError("cookies_blocked", "Framed callback arrived without any launch cookie"), "callback.failed", { requestId, launchId }, request);
  }
  if (!launchId || !record || !matchesPendingState(record, params.get("state"))) {
    const error = new AppError("unknown_launch_state", launchId ? `No pending launch for this "state"` : `Parameter "state" is missing or malformed`, { cause: { cookieRejected: rejected } });
    return routeErrorResponse(error, "callback.failed", { requestId, launchId }, request);
  }
  return undefined;
}

/**
 * The app's redirect URI. It finds the launch by `state`, completes the
 * authorization, stores the tokens in the launch's cookie and opens the
 * launch's page. Any failure after `state` matched deletes the pending launch,
 * so no half-finished session is left behind.
 */
async function handleCallback(request: NextRequest) {
  const requestId = newRequestId();
  const launchId = launchIdFromState(request.nextUrl.searchParams.get("state"));
  const cookie = launchId ? await readLaunchCookie(launchId) : { rejected: false };
  const record = cookie.record;

  const early = await earlyResponse(request, launchId, cookie, requestId);
  if (early) return early;
  // Unreachable: earlyResponse returns a response for every callback without a launch.
  if (!launchId || !record) return new Response(null, { status: 500 });

  const params = new URLSearchParams(request.nextUrl.searchParams);
  params.delete(HANDBACK_PARAMETER);

  try {
    const completed = await completeAuthorization(params, record);
    await saveActiveLaunch({ ...completed, createdAt: Date.now(), lastSeenAt: Date.now() }, requestId);
    log.info("callback.completed", { requestId, launchId, scope: completed.tokens?.scope, patient: completed.context?.patient });
    return new Response(null, { status: 303, headers: { location: `${getConfig().baseUrl}${launchViewPath(launchId, completed.context?.intent)}`, "cache-control": "no-store" } });
  } catch (error) {
    await deleteLaunch(launchId);
    return routeErrorResponse(error, "callback.failed", { requestId, launchId }, request);
  }
}

export const GET = withSecurityHeaders("document", handleCallback);
