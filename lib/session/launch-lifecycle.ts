import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { deleteLaunch, readLaunchCookie, saveLaunch } from "./launch-store";
import type { LaunchRecord } from "./launch-record";

/** Write `lastSeenAt` at most once a minute, so reading data does not rewrite the cookie on every request. */
const TOUCH_INTERVAL_MS = 60_000;

export type ExpiryReason = "idle" | "absolute";

/** Return why a completed launch has expired, or undefined while it is valid. */
export function expiryReason(record: LaunchRecord, now: number = Date.now()): ExpiryReason | undefined {
  const { sessionIdleSeconds, sessionMaxSeconds } = getConfig();
  if (now - record.createdAt > sessionMaxSeconds * 1000) return "absolute";
  if (now - (record.lastSeenAt ?? record.createdAt) > sessionIdleSeconds * 1000) return "idle";
  return undefined;
}

/** Return the remaining lifetime of a launch's cookie in seconds. */
export function remainingSeconds(record: LaunchRecord, now: number = Date.now()): number {
  return Math.max(1, Math.ceil((record.createdAt + getConfig().sessionMaxSeconds * 1000 - now) / 1000));
}

/** Save a completed launch with a cookie lifetime that ends at its absolute limit. */
export async function saveActiveLaunch(record: LaunchRecord, requestId?: string): Promise<void> {
  await saveLaunch(record, remainingSeconds(record), requestId);
}

/**
 * Open a completed launch for a route handler: missing launches raise
 * `launch_not_found`; expired ones are deleted and raise `session_expired`;
 * valid ones get their idle clock reset.
 */
export async function openLaunch(launchId: string, requestId: string): Promise<LaunchRecord> {
  const { record, rejected } = await readLaunchCookie(launchId);
  if (rejected) {
    throw new AppError("launch_not_found", `Launch cookie did not open: tampered, expired, sealed with another secret or copied from another launch`, { cause: { cookie: "rejected" } });
  }
  if (!record?.tokens) throw new AppError("launch_not_found", `No completed launch "${launchId.slice(0, 64)}" in this browser`);

  const now = Date.now();
  const reason = expiryReason(record, now);
  if (reason) {
    await deleteLaunch(launchId);
    log.info("launch.expired", { requestId, launchId, reason });
    throw new AppError("session_expired", `Launch expired (${reason} limit)`, { publicDetail: reason === "idle" ? "The app was not used for too long." : "The session reached its maximum length." });
  }

  if (now - (record.lastSeenAt ?? record.createdAt) > TOUCH_INTERVAL_MS) {
    const touched = { ...record, lastSeenAt: now };
    await saveActiveLaunch(touched, requestId);
    return touched;
  }
  return record;
}
