import { expect } from "vitest";
import { LAUNCH_COOKIE_PREFIX, requestIdOfPage, type Browser, type PageResult } from "./fault-browser";
import { findLeaks, problemLines, type LogLine } from "./fault-logs";

/**
 * Checks shared by the security and fault suites: what a rejected request
 * must not leave behind (launch cookies, tokens in the page), and how its
 * failure must be logged (once, with the request id and launch id).
 */

/** Return the names of launch cookies that `headers` set to a value (deletions are left out). */
export function launchCookiesSet(headers: Headers): string[] {
  return headers
    .getSetCookie()
    .map((header) => header.split(";")[0] ?? "")
    .filter((pair) => pair.startsWith(LAUNCH_COOKIE_PREFIX) && !pair.endsWith("="))
    .map((pair) => pair.slice(0, pair.indexOf("=")));
}

/** Return the launch ids whose cookies `headers` delete. */
export function launchCookiesDeleted(headers: Headers): string[] {
  return headers
    .getSetCookie()
    .filter((header) => header.startsWith(LAUNCH_COOKIE_PREFIX) && (/^[^=]+=;/.test(header) || /max-age=0/i.test(header)))
    .map((header) => header.slice(LAUNCH_COOKIE_PREFIX.length, header.indexOf("=")));
}

/**
 * Expect an HTML error page from the app: the status, the title, a request id,
 * no launch cookie set, and no credential in the page. Returns the request id.
 */
export function expectErrorPage(page: PageResult, status: number, title: string): string {
  const context = `${page.url.pathname}${page.url.search.slice(0, 120)} -> ${page.status}\n${page.body.slice(0, 600)}`;
  expect(page.status, context).toBe(status);
  expect(page.headers.get("content-type"), context).toContain("text/html");
  expect(page.body, context).toContain(title);
  expect(launchCookiesSet(page.headers), context).toEqual([]);
  expect(findLeaks(page.body, []), context).toEqual([]);
  const requestId = requestIdOfPage(page.body);
  expect(requestId, context).toBeDefined();
  return requestId!;
}

export interface ProxyError {
  code: string;
  title: string;
  message: string;
  action: string;
  requestId: string;
}

/** Expect a JSON error from the FHIR proxy with `status` and `code`; returns the error. */
export function expectProxyError(page: PageResult, status: number, code: string): ProxyError {
  const context = `${page.url.pathname} -> ${page.status}\n${page.body.slice(0, 600)}`;
  expect(page.status, context).toBe(status);
  expect(page.headers.get("content-type"), context).toContain("json");
  const error = (JSON.parse(page.body) as { error: ProxyError }).error;
  expect(error.code, context).toBe(code);
  expect(error.title.length, context).toBeGreaterThan(0);
  expect(error.action.length, context).toBeGreaterThan(0);
  expect(error.requestId, context).toMatch(/^[0-9a-f-]{36}$/);
  expect(findLeaks(page.body, []), context).toEqual([]);
  return error;
}

/**
 * Expect exactly one warn or error line for `requestId`, with `event` and,
 * when given, `launchId`. The server writes the line before it responds, but
 * the pipe may deliver it a moment later, so this polls briefly.
 */
export async function expectLoggedOnce(output: () => string, requestId: string, expected: { event: string; launchId?: string; errorCode?: string }): Promise<LogLine> {
  let lines: LogLine[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    lines = problemLines(output(), requestId);
    if (lines.length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  lines = problemLines(output(), requestId);
  const context = JSON.stringify(lines, null, 1);
  expect(lines, context).toHaveLength(1);
  const line = lines[0]!;
  expect(line.event, context).toBe(expected.event);
  if (expected.launchId !== undefined) expect(line.launchId, context).toBe(expected.launchId);
  if (expected.errorCode !== undefined) expect(line.errorCode, context).toBe(expected.errorCode);
  return line;
}

/** Expect `browser` to hold no launch cookie for the host of `appUrl`. */
export function expectNoLaunchCookies(browser: Browser, appUrl: string): void {
  expect(browser.launchIds(new URL(appUrl).hostname)).toEqual([]);
}
