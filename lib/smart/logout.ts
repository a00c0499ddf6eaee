import * as oauth from "oauth4webapi";
import { log } from "@/lib/log";
import { getAuthorizationServer } from "@/lib/oauth/authorization-server";
import type { LaunchRecord } from "@/lib/session/launch-record";

/**
 * Revoke a launch's tokens at the authorization server's revocation endpoint
 * (RFC 7009), refresh token first because revoking it ends the grant. Failures
 * are logged and do not stop the logout: the cookie is deleted either way.
 */
export async function revokeLaunchTokens(record: LaunchRecord, requestId: string): Promise<void> {
  const tokens = record.tokens;
  if (!tokens) return;

  let handle;
  try {
    handle = await getAuthorizationServer();
  } catch (error) {
    log.warn("logout.revocation_skipped", { requestId, launchId: record.id, error });
    return;
  }
  if (!handle.as.revocation_endpoint) return;

  const candidates: Array<[string, string]> = [];
  if (tokens.refreshToken) candidates.push(["refresh_token", tokens.refreshToken]);
  candidates.push(["access_token", tokens.accessToken]);

  for (const [hint, token] of candidates) {
    try {
      const response = await oauth.revocationRequest(handle.as, handle.client, handle.clientAuth, token, {
        additionalParameters: { token_type_hint: hint },
        ...handle.requestOptions(),
      });
      await oauth.processRevocationResponse(response);
      log.info("logout.revoked", { requestId, launchId: record.id, tokenType: hint });
    } catch (error) {
      log.warn("logout.revocation_failed", { requestId, launchId: record.id, tokenType: hint, error });
    }
  }
}
