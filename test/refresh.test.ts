import { describe, expect, it } from "vitest";
import type { TokenEndpointResponse } from "oauth4webapi";
import { needsRefresh, nextTokenSet, REFRESH_MARGIN_MS } from "@/lib/smart/refresh";
import type { TokenSet } from "@/lib/session/launch-record";

const NOW = 1_800_000_000_000;
const PREVIOUS: TokenSet = { accessToken: "old-access", refreshToken: "old-refresh", tokenType: "bearer", scope: "openid patient/*.rs", expiresAt: NOW + 10_000 };

function response(fields: Partial<TokenEndpointResponse>): TokenEndpointResponse {
  return { access_token: "new-access", token_type: "bearer", ...fields } as TokenEndpointResponse;
}

describe("needsRefresh", () => {
  it("refreshes inside the margin", () => {
    expect(needsRefresh({ ...PREVIOUS, expiresAt: NOW + REFRESH_MARGIN_MS - 1 }, NOW)).toBe(true);
  });

  it("waits outside the margin", () => {
    expect(needsRefresh({ ...PREVIOUS, expiresAt: NOW + REFRESH_MARGIN_MS + 1_000 }, NOW)).toBe(false);
  });

  it("cannot refresh without a refresh token", () => {
    expect(needsRefresh({ ...PREVIOUS, refreshToken: undefined, expiresAt: NOW - 1 }, NOW)).toBe(false);
  });
});

describe("nextTokenSet", () => {
  it("rotates the refresh token", () => {
    const next = nextTokenSet(PREVIOUS, response({ refresh_token: "new-refresh", expires_in: 300, scope: "openid" }), NOW);
    expect(next.accessToken).toBe("new-access");
    expect(next.refreshToken).toBe("new-refresh");
    expect(next.expiresAt).toBe(NOW + 300_000);
    expect(next.scope).toBe("openid");
  });

  it("keeps the old refresh token when none is returned", () => {
    const next = nextTokenSet(PREVIOUS, response({ expires_in: 300 }), NOW);
    expect(next.refreshToken).toBe("old-refresh");
  });

  it("keeps the granted scope when none is returned", () => {
    expect(nextTokenSet(PREVIOUS, response({ expires_in: 300 }), NOW).scope).toBe("openid patient/*.rs");
  });

  it("uses a refresh token granted without offline_access", () => {
    const withoutOffline: TokenSet = { ...PREVIOUS, scope: "openid patient/*.rs", expiresAt: NOW - 1 };
    expect(needsRefresh(withoutOffline, NOW)).toBe(true);
  });
});
