import { cookies } from "next/headers";
import { getConfig } from "@/lib/config";
import { log } from "@/lib/log";
import { LAUNCH_COOKIE_PREFIX, launchCookieName, sealLaunch, unsealLaunch, type LaunchRecord } from "./launch-record";

/**
 * Launch records in cookies, one encrypted cookie per launch, so that tabs with
 * different patients never share state and each cookie stays below 4 KB.
 *
 * The cookies are `SameSite=None; Secure; Partitioned`: the app usually runs in
 * an iframe of the EHR on another site, where Chromium sends only partitioned
 * cross-site cookies. Browsers treat `http://localhost` as secure, so local runs work too.
 */
function cookieOptions() {
  return { httpOnly: true, secure: true, sameSite: "none", partitioned: !getConfig().unsafeUnpartitionedCookies, path: "/" } as const;
}

const LAUNCH_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export function isLaunchId(value: string): boolean {
  return LAUNCH_ID_PATTERN.test(value);
}

/**
 * Read the launch `launchId` from the request's cookies. `rejected` is true
 * when a cookie was there but did not open: tampered, truncated, expired,
 * sealed with another secret, or copied from another launch's cookie.
 */
export async function readLaunchCookie(launchId: string): Promise<{ record?: LaunchRecord; rejected: boolean }> {
  if (!isLaunchId(launchId)) return { rejected: false };
  const store = await cookies();
  const sealed = store.get(launchCookieName(launchId))?.value;
  if (!sealed) return { rejected: false };
  const record = await unsealLaunch(sealed, launchId);
  return record ? { record, rejected: false } : { rejected: true };
}

/** Read the launch `launchId` from the request's cookies; undefined when absent, expired or tampered. */
export async function loadLaunch(launchId: string): Promise<LaunchRecord | undefined> {
  return (await readLaunchCookie(launchId)).record;
}

/**
 * Bytes of cookie names and values that Chromium keeps per site in one cookie
 * partition. Beyond that it deletes partitioned cookies without telling the
 * server (`kPerPartitionDomainMaxCookieBytes` in Chromium's net/cookies/cookie_monster.cc).
 */
export const LAUNCH_COOKIE_BUDGET_BYTES = 10_240;

type CookieStore = Awaited<ReturnType<typeof cookies>>;

function cookieBytes(cookie: { name: string; value: string }): number {
  return Buffer.byteLength(cookie.name) + Buffer.byteLength(cookie.value);
}

/**
 * Delete the oldest other launches until `incomingBytes` more fit in
 * LAUNCH_COOKIE_BUDGET_BYTES, so that the app, not the browser, picks which
 * launches end, and logs it. The app sets no other partitioned cookies.
 */
export async function evictForCookieBudget(store: CookieStore, keepName: string, incomingBytes: number, requestId?: string): Promise<void> {
  const others = store.getAll().filter((cookie) => cookie.name.startsWith(LAUNCH_COOKIE_PREFIX) && cookie.name !== keepName && cookie.value !== "");
  let total = incomingBytes + others.reduce((sum, cookie) => sum + cookieBytes(cookie), 0);
  if (total <= LAUNCH_COOKIE_BUDGET_BYTES) return;

  // A cookie that no longer opens counts as the oldest.
  const dated = await Promise.all(
    others.map(async (cookie) => {
      const id = cookie.name.slice(LAUNCH_COOKIE_PREFIX.length);
      return { cookie, id, createdAt: (await unsealLaunch(cookie.value, id))?.createdAt ?? 0 };
    }),
  );
  dated.sort((a, b) => a.createdAt - b.createdAt);

  for (const { cookie, id } of dated) {
    if (total <= LAUNCH_COOKIE_BUDGET_BYTES) break;
    store.set(cookie.name, "", { ...cookieOptions(), maxAge: 0 });
    total -= cookieBytes(cookie);
    log.info("launch.evicted", { requestId, launchId: id.slice(0, 64), reason: "cookie_bytes" });
  }
}

/** Write `record` into its cookie (route handlers and server actions only). */
export async function saveLaunch(record: LaunchRecord, ttlSeconds: number, requestId?: string): Promise<void> {
  const sealed = await sealLaunch(record, ttlSeconds);
  const store = await cookies();
  const name = launchCookieName(record.id);
  await evictForCookieBudget(store, name, cookieBytes({ name, value: sealed }), requestId);
  store.set(name, sealed, { ...cookieOptions(), maxAge: ttlSeconds });
}

export async function deleteLaunch(launchId: string): Promise<void> {
  const store = await cookies();
  store.set(launchCookieName(launchId), "", { ...cookieOptions(), maxAge: 0 });
}

/**
 * Delete the oldest launches so that at most `keep` remain besides a new one,
 * and delete cookies that no longer open.
 */
export async function evictOldLaunches(requestId: string, keep: number = getConfig().maxLaunches - 1): Promise<void> {
  const store = await cookies();
  const entries = store.getAll().filter((cookie) => cookie.name.startsWith(LAUNCH_COOKIE_PREFIX));
  const records: LaunchRecord[] = [];

  for (const entry of entries) {
    const id = entry.name.slice(LAUNCH_COOKIE_PREFIX.length);
    const record = await unsealLaunch(entry.value, id);
    if (record) {
      records.push(record);
    } else {
      log.warn("launch.cookie_rejected", { requestId, launchId: id.slice(0, 64) });
      store.set(entry.name, "", { ...cookieOptions(), maxAge: 0 });
    }
  }

  records.sort((a, b) => b.createdAt - a.createdAt);
  for (const old of records.slice(Math.max(keep, 0))) {
    log.info("launch.evicted", { requestId, launchId: old.id, reason: "count" });
    store.set(launchCookieName(old.id), "", { ...cookieOptions(), maxAge: 0 });
  }
}
