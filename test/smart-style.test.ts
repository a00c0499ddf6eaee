import { describe, expect, it } from "vitest";
import { isTrustedStyleUrl, styleVariables } from "@/lib/smart/style";
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
