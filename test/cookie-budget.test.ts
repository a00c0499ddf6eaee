import { describe, expect, it } from "vitest";
import { launchCookieName, sealLaunch, type LaunchRecord } from "@/lib/session/launch-record";
import { evictForCookieBudget, LAUNCH_COOKIE_BUDGET_BYTES } from "@/lib/session/launch-store";
import { randomId } from "@/lib/smart/authorize";

type Store = Parameters<typeof evictForCookieBudget>[0];

/** The part of Next.js's cookie store that the eviction uses, over a plain map. */
class FakeCookieStore {
  readonly values = new Map<string, string>();

  getAll() {
    return [...this.values].map(([name, value]) => ({ name, value }));
  }

  set(name: string, value: string, options: { maxAge?: number }) {
    if (options.maxAge === 0) this.values.delete(name);
    else this.values.set(name, value);
  }
}

/** Seal a completed launch created at `createdAt` whose cookie is about 3.3 KB, as a standalone launch with a refresh token. */
async function sealedLaunch(createdAt: number): Promise<{ name: string; value: string; id: string }> {
  const id = randomId();
  const record: LaunchRecord = {
    id,
    kind: "standalone",
    iss: "https://ehr.example.org/fhir/r4",
    createdAt,
    requestedScope: "launch/patient openid fhirUser offline_access patient/*.rs",
    launchContext: {},
    tokens: { accessToken: "a".repeat(1300), refreshToken: "r".repeat(800), tokenType: "Bearer", scope: "launch/patient patient/*.rs", expiresAt: createdAt + 3_600_000 },
  };
  return { name: launchCookieName(id), value: await sealLaunch(record, 3600), id };
}

function bytes(cookie: { name: string; value: string }): number {
  return cookie.name.length + cookie.value.length;
}

async function storeWith(launches: Array<{ name: string; value: string }>): Promise<FakeCookieStore> {
  const store = new FakeCookieStore();
  for (const launch of launches) store.values.set(launch.name, launch.value);
  return store;
}

describe("evictForCookieBudget", () => {
  it("keeps launches that fit", async () => {
    const launches = [await sealedLaunch(1_000), await sealedLaunch(2_000)];
    const store = await storeWith(launches);

    await evictForCookieBudget(store as unknown as Store, launchCookieName(randomId()), 1_200);

    expect([...store.values.keys()]).toEqual(launches.map((launch) => launch.name));
  });

  it("evicts the oldest launch first", async () => {
    const [newer, oldest, middle] = [await sealedLaunch(3_000), await sealedLaunch(1_000), await sealedLaunch(2_000)];
    const store = await storeWith([newer, oldest, middle]);
    // Exactly the room that the two newer launches leave.
    const incoming = LAUNCH_COOKIE_BUDGET_BYTES - bytes(newer) - bytes(middle);

    await evictForCookieBudget(store as unknown as Store, launchCookieName(randomId()), incoming);

    expect(store.values.has(oldest.name)).toBe(false);
    expect(store.values.has(middle.name)).toBe(true);
    expect(store.values.has(newer.name)).toBe(true);
  });

  it("stays within the budget", async () => {
    const store = await storeWith([await sealedLaunch(1_000), await sealedLaunch(2_000), await sealedLaunch(3_000)]);
    const incoming = 3_700;

    await evictForCookieBudget(store as unknown as Store, launchCookieName(randomId()), incoming);

    const keptBytes = store.getAll().reduce((sum, cookie) => sum + bytes(cookie), 0);
    expect(keptBytes + incoming).toBeLessThanOrEqual(LAUNCH_COOKIE_BUDGET_BYTES);
  });

  it("evicts unreadable cookies first", async () => {
    const [older, newer] = [await sealedLaunch(1_000), await sealedLaunch(2_000)];
    const broken = { name: launchCookieName(randomId()), value: "x".repeat(3_600) };
    const store = await storeWith([older, newer, broken]);

    await evictForCookieBudget(store as unknown as Store, launchCookieName(randomId()), 3_000);

    expect(store.values.has(broken.name)).toBe(false);
    expect(store.values.has(older.name)).toBe(true);
  });

  it("leaves the launch being written", async () => {
    const [own, other] = [await sealedLaunch(1_000), await sealedLaunch(2_000)];
    const store = await storeWith([own, other]);

    await evictForCookieBudget(store as unknown as Store, own.name, 9_000);

    expect(store.values.has(own.name)).toBe(true);
    expect(store.values.has(other.name)).toBe(false);
  });
});
