import { errors as joseErrors } from "jose";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { proxyResponseText, rewriteBundleLinks, upstreamUrl } from "@/lib/fhir/proxy";
import { redact, REDACTED } from "@/lib/log";

const BASE = "https://ehr.example/fhir";

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof AppError ? error.code : "other";
  }
  return undefined;
}

describe("upstreamUrl", () => {
  it("keeps paths under the base", () => {
    expect(upstreamUrl(BASE, ["Patient", "123"], "?_format=json").href).toBe("https://ehr.example/fhir/Patient/123?_format=json");
    expect(upstreamUrl(`${BASE}/`, ["Observation"], "?patient=1").href).toBe("https://ehr.example/fhir/Observation?patient=1");
  });

  it.each([
    ["dot-dot", ["..", "admin"]],
    ["dot-dot inside", ["Patient", "..%2F..%2Fadmin"]],
    ["encoded slash", ["Patient%2F..", "x"]],
    ["absolute URL", ["https:", "", "evil.example"]],
    ["protocol-relative", ["", "evil.example"]],
    ["empty path", []],
    ["backslash", ["Patient\\..\\x"]],
  ])("rejects %s", (_name, segments) => {
    expect(codeOf(() => upstreamUrl(BASE, segments as string[], ""))).toBe("invalid_request");
  });
});

describe("rewriteBundleLinks", () => {
  it("proxies links under the base and drops others", () => {
    const bundle = {
      resourceType: "Bundle",
      link: [
        { relation: "self", url: `${BASE}/Observation?patient=1` },
        { relation: "next", url: "https://evil.example/fhir/Observation?page=2" },
        { relation: "previous", url: "https://ehr.example/fhir.evil.example/Observation" },
      ],
    };
    const result = rewriteBundleLinks(bundle, BASE, "https://app.example/api/launches/abc/fhir") as typeof bundle;
    expect(result.link).toEqual([{ relation: "self", url: "https://app.example/api/launches/abc/fhir/Observation?patient=1" }]);
  });
});

describe("proxyResponseText", () => {
  const proxyBase = "https://app.example/api/launches/abc/fhir";

  it("passes a resource through as sent", () => {
    const text = '{ "resourceType": "Patient",\n  "id": "1", "name": [{"family": "Lovelace"}] }';
    const result = { status: 200, body: JSON.parse(text) as unknown, text };

    expect(proxyResponseText(result, BASE, proxyBase)).toBe(text);
  });

  it("rewrites the links of a Bundle", () => {
    const bundle = { resourceType: "Bundle", type: "searchset", link: [{ relation: "next", url: `${BASE}/Observation?page=2` }], entry: [] };
    const result = { status: 200, body: bundle, text: JSON.stringify(bundle) };

    const sent = JSON.parse(proxyResponseText(result, BASE, proxyBase)) as typeof bundle;
    expect(sent.link).toEqual([{ relation: "next", url: `${proxyBase}/Observation?page=2` }]);
    expect(sent.type).toBe("searchset");
  });

  it("passes a Bundle without links through", () => {
    const text = '{"resourceType":"Bundle", "type":"searchset"}';

    expect(proxyResponseText({ status: 200, body: JSON.parse(text) as unknown, text }, BASE, proxyBase)).toBe(text);
  });

  it("sends null for an empty body", () => {
    expect(proxyResponseText({ status: 204, body: undefined, text: "" }, BASE, proxyBase)).toBe("null");
  });
});

describe("redact", () => {
  it("hides credentials by key and by shape", () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl";
    const result = redact({ access_token: "abc", nested: { code: "xyz" }, message: `token ${jwt} and Bearer abc.def` }) as Record<string, unknown>;
    expect(result.access_token).toBe(REDACTED);
    expect((result.nested as Record<string, unknown>).code).toBe(REDACTED);
    expect(result.message).toBe(`token ${REDACTED} and Bearer ${REDACTED}`);
  });

  it("hides the claims of a jose error", () => {
    const error = new joseErrors.JWTExpired('"exp" claim timestamp check failed', { sub: "patient-1", name: "Ada Lovelace" }, "exp", "check_failed");

    const logged = JSON.stringify(redact({ cause: error }));

    expect(logged).not.toContain("Lovelace");
    expect(logged).toContain("ERR_JWT_EXPIRED");
  });
});
