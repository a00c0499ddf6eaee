import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { cachedStyleCount, isTrustedStyleUrl, loadSmartStyle, MAX_CACHED_STYLES, styleVariables } from "@/lib/smart/style";
import { launchViewPath } from "@/lib/smart/intent";
import type { LaunchRecord } from "@/lib/session/launch-record";

const RECORD = { id: "launch-id-0123456789", iss: "http://localhost:3000/sandbox/fhir" } as LaunchRecord;

describe("styleVariables", () => {
  it("maps valid SMART style values", () => {
    expect(styleVariables({ color_background: "#edeae3", color_highlight: "rgb(10, 20, 30)", font_family_body: "Georgia, serif", dim_border_radius: "4px" })).toEqual({
      "--color-bg": "#edeae3",
      "--color-accent": "rgb(10, 20, 30)",
      "--font-body": "Georgia, serif",
      "--radius": "4px",
    });
  });

  it("drops values that could inject CSS", () => {
    expect(styleVariables({ color_background: "red;background:url(https://evil.example)", font_family_body: "x; } body { display:none", dim_border_radius: "expression(alert(1))" })).toEqual({});
  });

  it("ignores non-objects", () => {
    expect(styleVariables("#fff")).toEqual({});
    expect(styleVariables(null)).toEqual({});
  });
});

describe("isTrustedStyleUrl", () => {
  it("accepts the FHIR server's origin", () => {
    expect(isTrustedStyleUrl(new URL("http://localhost:3000/sandbox/ehr/smart-style.json"), RECORD)).toBe(true);
  });

  it("rejects other origins and credentials", () => {
    expect(isTrustedStyleUrl(new URL("https://evil.example/style.json"), RECORD)).toBe(false);
    expect(isTrustedStyleUrl(new URL("http://user:pw@localhost:3000/style.json"), RECORD)).toBe(false);
    expect(isTrustedStyleUrl(new URL("http://localhost:4000/style.json"), RECORD)).toBe(false);
  });
});

describe("launchViewPath", () => {
  it("opens the view of a known intent", () => {
    expect(launchViewPath("abc", "access-review")).toBe("/launches/abc/consent");
  });

  it("falls back for unknown intents", () => {
    expect(launchViewPath("abc", "reconcile-medications")).toBe("/launches/abc");
    expect(launchViewPath("abc", undefined)).toBe("/launches/abc");
  });
});

describe("loadSmartStyle cache", () => {
  let server: Server;
  let origin: string;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests++;
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ color_background: "#edf2f7", color_text: "#1c2430" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  /** Return a launch on the stub server's origin whose SMART style URL has the path `stylePath`. */
  function launchWithStyle(stylePath: string): LaunchRecord {
    return { id: "launch-id-0123456789", iss: `${origin}/fhir`, context: { smartStyleUrl: `${origin}${stylePath}` } } as LaunchRecord;
  }

  it("reuses a cached style", async () => {
    await loadSmartStyle(launchWithStyle("/reused.json"), "request-1");
    const before = requests;

    const variables = await loadSmartStyle(launchWithStyle("/reused.json"), "request-2");

    expect(variables).toEqual({ "--color-bg": "#edf2f7", "--color-text": "#1c2430" });
    expect(requests).toBe(before);
  });

  it("drops expired styles", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    await loadSmartStyle(launchWithStyle("/expires-first.json"), "request-1");
    expect(cachedStyleCount()).toBeGreaterThan(0);

    // Every entry is older than the ten-minute cache lifetime when the next style is fetched.
    vi.setSystemTime(Date.now() + 11 * 60 * 1000);
    await loadSmartStyle(launchWithStyle("/fetched-later.json"), "request-2");

    expect(cachedStyleCount()).toBe(1);
  });

  it("caps distinct style URLs", async () => {
    for (let index = 0; index < MAX_CACHED_STYLES + 20; index++) {
      await loadSmartStyle(launchWithStyle(`/per-launch/${index}.json`), `request-${index}`);
    }

    expect(cachedStyleCount()).toBe(MAX_CACHED_STYLES);
  });
});
