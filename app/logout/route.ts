import type { NextRequest } from "next/server";
import { cookies } from "next/headers";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { newRequestId, routeErrorResponse } from "@/lib/http/route-error";
import { assertSameOrigin } from "@/lib/http/same-origin";
import { LAUNCH_COOKIE_PREFIX } from "@/lib/session/launch-record";
import { deleteLaunch, isLaunchId, loadLaunch } from "@/lib/session/launch-store";
import { revokeLaunchTokens } from "@/lib/smart/logout";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function launchIdsToEnd(form: FormData): Promise<string[]> {
  if (form.get("all") === "true") {
    const store = await cookies();
    return store
      .getAll()
      .filter((cookie) => cookie.name.startsWith(LAUNCH_COOKIE_PREFIX))
      .map((cookie) => cookie.name.slice(LAUNCH_COOKIE_PREFIX.length));
  }
  const launchId = String(form.get("launchId") ?? "");
  return isLaunchId(launchId) ? [launchId] : [];
}

/**
 * Sign out of one launch (`launchId`) or of all (`all=true`): revoke the
 * tokens where the authorization server supports it, then delete the cookies.
 * POST only, from the app's own origin.
 */
export async function POST(request: NextRequest) {
  const requestId = newRequestId();
  try {
    assertSameOrigin(request);
    const ids = await launchIdsToEnd(await request.formData());

    for (const launchId of ids) {
      const record = await loadLaunch(launchId);
      if (record) await revokeLaunchTokens(record, requestId);
      await deleteLaunch(launchId);
      log.info("logout.completed", { requestId, launchId });
    }
    return new Response(null, { status: 303, headers: { location: `${getConfig().baseUrl}/signed-out`, "cache-control": "no-store" } });
  } catch (error) {
    return routeErrorResponse(error, "logout.failed", { requestId }, request);
  }
}

/** Signing out changes state, so it is POST only; a GET gets a page that points to the Sign out button. */
export function GET(request: NextRequest) {
  const requestId = newRequestId();
  return routeErrorResponse(new AppError("forbidden", "GET on /logout, which signs out only on POST"), "logout.failed", { requestId }, request);
}
