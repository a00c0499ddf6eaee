import { AppError } from "@/lib/errors";
import { saveActiveLaunch } from "@/lib/session/launch-lifecycle";
import type { LaunchRecord } from "@/lib/session/launch-record";
import { needsRefresh, refreshLaunch } from "@/lib/smart/refresh";
import { fetchFhir, type UpstreamResult } from "./proxy";

async function refreshAndSave(record: LaunchRecord, reason: "expiring" | "rejected", requestId: string): Promise<LaunchRecord> {
  const refreshed = await refreshLaunch(record, reason, requestId);
  await saveActiveLaunch(refreshed, requestId);
  return refreshed;
}

/**
 * GET a FHIR URL for a launch, refreshing its access token shortly before it
 * expires and once more when the FHIR server rejects it (401). Route handlers
 * only, because a refresh rewrites the launch cookie.
 */
export async function fetchForLaunch(record: LaunchRecord, url: URL, requestId: string): Promise<{ record: LaunchRecord; result: UpstreamResult }> {
  let current = record;
  let refreshed = false;

  if (needsRefresh(current.tokens!)) {
    current = await refreshAndSave(current, "expiring", requestId);
    refreshed = true;
  }

  let result = await fetchFhir(current, url);
  if (result.status === 401 && current.tokens?.refreshToken && !refreshed) {
    current = await refreshAndSave(current, "rejected", requestId);
    result = await fetchFhir(current, url);
  }

  if (result.status === 401) {
    throw new AppError("refresh_failed", current.tokens?.refreshToken ? "FHIR server rejected a freshly refreshed token" : "FHIR server rejected the access token and the launch has no refresh token", {
      cause: { path: url.pathname },
    });
  }
  return { record: current, result };
}
