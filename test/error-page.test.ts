import { describe, expect, it } from "vitest";
import { AppError, type ErrorCode } from "@/lib/errors";
import { errorPageResponse } from "@/lib/http/error-page";
import { isFramed } from "@/lib/http/fetch-metadata";

const START_LINK = `<a href="/">Go to the start page</a>`;

async function renderErrorPage(code: ErrorCode, framed?: boolean): Promise<{ status: number; html: string }> {
  const response = errorPageResponse(new AppError(code, "detail for the logs"), "request-1", framed === undefined ? {} : { framed });
  return { status: response.status, html: await response.text() };
}

describe("route error page", () => {
  it.each([
    { code: "authorization_denied", framed: false, link: true },
    { code: "unknown_launch_state", framed: false, link: true },
    { code: "session_expired", framed: false, link: true },
    { code: "authorization_code_rejected", framed: false, link: true },
    { code: "authorization_denied", framed: true, link: false },
    { code: "authorization_denied", framed: undefined, link: false },
    { code: "untrusted_issuer", framed: false, link: false },
    { code: "fhir_unavailable", framed: false, link: false },
  ] as const)("start link for $code, framed $framed: $link", async ({ code, framed, link }) => {
    const { html } = await renderErrorPage(code, framed);

    expect(html.includes(START_LINK)).toBe(link);
  });

  it("keeps the code's status", async () => {
    expect((await renderErrorPage("authorization_denied", false)).status).toBe(403);
  });

  it("leaves the log detail out", async () => {
    expect((await renderErrorPage("authorization_denied", false)).html).not.toContain("detail for the logs");
  });

  it("links the app's icon", async () => {
    expect((await renderErrorPage("authorization_denied", false)).html).toContain(`<link rel="icon" href="/favicon.svg">`);
  });

  it("reads framing from Sec-Fetch-Dest", () => {
    expect(isFramed(new Headers({ "sec-fetch-dest": "iframe" }))).toBe(true);
    expect(isFramed(new Headers({ "sec-fetch-dest": "document" }))).toBe(false);
    expect(isFramed(new Headers())).toBe(false);
  });
});
