import { beforeAll, describe, expect, it } from "vitest";
import type { LaunchRecord } from "@/lib/session/launch-record";

let expiryReason: (record: LaunchRecord, now?: number) => "idle" | "absolute" | undefined;
const NOW = 1_900_000_000_000;

beforeAll(async () => {
  process.env.SESSION_IDLE_SECONDS = "60";
  process.env.SESSION_MAX_SECONDS = "3600";
  ({ expiryReason } = await import("@/lib/session/launch-lifecycle"));
});

function record(createdAgoMs: number, seenAgoMs?: number): LaunchRecord {
  return {
    id: "launch-0123456789abcdef",
    kind: "ehr",
    iss: "https://ehr.example/fhir",
    createdAt: NOW - createdAgoMs,
    lastSeenAt: seenAgoMs === undefined ? undefined : NOW - seenAgoMs,
    requestedScope: "launch",
    launchContext: {},
  };
}

describe("expiryReason", () => {
  it("keeps a recently used launch", () => {
    expect(expiryReason(record(30 * 60_000, 30_000), NOW)).toBeUndefined();
  });

  it("ends an idle launch", () => {
    expect(expiryReason(record(5 * 60_000, 61_000), NOW)).toBe("idle");
  });

  it("counts idle time from creation when never used", () => {
    expect(expiryReason(record(61_000), NOW)).toBe("idle");
  });

  it("ends a launch past the absolute limit", () => {
    expect(expiryReason(record(3_601_000, 1_000), NOW)).toBe("absolute");
  });
});
