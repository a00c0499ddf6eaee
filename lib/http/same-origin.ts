import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";

/**
 * Reject a state-changing request that did not come from the app's own pages:
 * its `Origin` header must be the app's origin, and when the browser sends
 * `Sec-Fetch-Site`, that must be `same-origin`. Browsers send `Origin` on
 * every cross-origin POST, so a missing one is rejected too.
 */
export function assertSameOrigin(request: Request): void {
  const expected = new URL(getConfig().baseUrl).origin;
  const origin = request.headers.get("origin");
  const fetchSite = request.headers.get("sec-fetch-site");

  if (origin !== expected) {
    throw new AppError("forbidden", `Request "Origin" is not the app's origin`, { cause: { expected, actual: origin ?? "(missing)" } });
  }
  if (fetchSite !== null && fetchSite !== "same-origin") {
    throw new AppError("forbidden", `Request "Sec-Fetch-Site" is not same-origin`, { cause: { actual: fetchSite } });
  }
}
