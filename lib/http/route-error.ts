import { cache } from "react";
import { toAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { errorPageResponse } from "./error-page";
import { isFramed } from "./fetch-metadata";

/**
 * Log a route handler's failure once, with its ids, and return the error
 * page for `request`. Expected failures (bad input, denied consent) log at
 * warn level, unexpected ones at error level.
 */
export function routeErrorResponse(error: unknown, event: string, ids: { requestId: string; launchId?: string }, request: Request): Response {
  const appError = toAppError(error);
  const level = appError.status >= 500 ? "error" : "warn";
  log[level](event, { ...ids, errorCode: appError.code, status: appError.status, detail: appError.message, cause: appError.cause });
  return errorPageResponse(appError, ids.requestId, { framed: isFramed(request.headers) });
}

/** Return a new request id, for log lines and error pages. */
export function newRequestId(): string {
  return crypto.randomUUID();
}

/**
 * Return the request id of the page being rendered. React's `cache` keeps one
 * value per server request, so a layout and its page log with the same id.
 */
export const pageRequestId = cache((): string => newRequestId());
