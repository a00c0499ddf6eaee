import * as oauth from "oauth4webapi";
import { getConfig } from "@/lib/config";
import { getAuthorizationServer } from "@/lib/oauth/authorization-server";
import { PENDING_TTL_SECONDS, type LaunchRecord, type SmartContext } from "@/lib/session/launch-record";

/** Return a random id of 128 bits, base64url-encoded, for launches. */
export function randomId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");
}

export interface AuthorizationStart {
  record: LaunchRecord;
  authorizationUrl: URL;
}

/**
 * Create the launch record and the authorization request for a launch
 * (SMART App Launch 2.2, "Obtain authorization code"; RFC 7636 PKCE with S256).
 *
 * `state` starts with the launch id so the callback finds the launch cookie
 * without any server-side index; its other 128 bits are random.
 */
export async function startAuthorization(input: {
  kind: LaunchRecord["kind"];
  iss: string;
  launch?: string;
  launchContext: SmartContext;
}): Promise<AuthorizationStart> {
  const config = getConfig();
  const { as } = await getAuthorizationServer();

  const id = randomId();
  const state = `${id}.${oauth.generateRandomState()}`;
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const nonce = oauth.generateRandomNonce();
  const scope = input.kind === "ehr" ? config.scopes : config.standaloneScopes;

  const url = new URL(as.authorization_endpoint ?? "");
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", config.authServer.clientId);
  url.searchParams.set("redirect_uri", config.redirectUri);
  url.searchParams.set("scope", scope);
  url.searchParams.set("state", state);
  url.searchParams.set("nonce", nonce);
  url.searchParams.set("aud", input.iss);
  url.searchParams.set("resource", input.iss);
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set("code_challenge_method", "S256");
  if (input.launch) url.searchParams.set("launch", input.launch);
  // OpenID Connect Core §11: servers may drop offline_access unless consent is prompted.
  if (scope.split(" ").includes("offline_access")) url.searchParams.set("prompt", "consent");

  const now = Date.now();
  const record: LaunchRecord = {
    id,
    kind: input.kind,
    iss: input.iss,
    createdAt: now,
    requestedScope: scope,
    launchContext: input.launchContext,
    pending: { state, codeVerifier, nonce, expiresAt: now + PENDING_TTL_SECONDS * 1000 },
  };
  return { record, authorizationUrl: url };
}

/** Return the launch id that `state` starts with, or undefined for a malformed state. */
export function launchIdFromState(state: string | null): string | undefined {
  const match = state ? /^([A-Za-z0-9_-]{16,64})\.[A-Za-z0-9_-]{16,}$/.exec(state) : null;
  return match?.[1];
}
