import * as oauth from "oauth4webapi";
import { getConfig, isLoopbackUrl } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { getSandboxClientSecret } from "@/lib/sandbox/keys";

/**
 * The authorization server (Descope Inbound Apps, or the sandbox that mimics
 * it) as seen by the app: its metadata from OpenID discovery, and this app's
 * client registration.
 */
export interface AuthorizationServerHandle {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
  /** Options every oauth4webapi request needs (timeouts, http on loopback). */
  requestOptions: () => { signal: AbortSignal; [oauth.allowInsecureRequests]?: boolean };
}

/** Discovery is cached for ten minutes so that a key or endpoint change is picked up within that time. */
const DISCOVERY_TTL_MS = 10 * 60 * 1000;

let cached: { handle: AuthorizationServerHandle; fetchedAt: number; issuer: string } | undefined;

function clientAuthentication(): oauth.ClientAuth {
  const { authServer } = getConfig();
  if (authServer.mode === "sandbox") return oauth.ClientSecretPost(getSandboxClientSecret());
  if (authServer.clientAuth === "none") return oauth.None();
  const secret = authServer.clientSecret ?? "";
  return authServer.clientAuth === "client_secret_basic" ? oauth.ClientSecretBasic(secret) : oauth.ClientSecretPost(secret);
}

/**
 * Return the authorization server's metadata and this app's client, fetching
 * `{issuer}/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4)
 * when the cached copy is missing or older than ten minutes.
 */
export async function getAuthorizationServer(): Promise<AuthorizationServerHandle> {
  const config = getConfig();
  const issuer = config.authServer.issuer;
  if (cached && cached.issuer === issuer && Date.now() - cached.fetchedAt < DISCOVERY_TTL_MS) return cached.handle;

  const issuerUrl = new URL(issuer);
  const insecure = issuerUrl.protocol === "http:" && isLoopbackUrl(issuerUrl);
  const requestOptions = () => ({
    signal: AbortSignal.timeout(config.fhirTimeoutMs),
    ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}),
  });

  let as: oauth.AuthorizationServer;
  try {
    const response = await oauth.discoveryRequest(issuerUrl, { algorithm: "oidc", ...requestOptions() });
    as = await oauth.processDiscoveryResponse(issuerUrl, response);
  } catch (error) {
    throw new AppError("authorization_server_unavailable", `OpenID discovery failed for issuer "${issuer}"`, { cause: error });
  }
  if (!as.authorization_endpoint || !as.token_endpoint || !as.jwks_uri) {
    throw new AppError("authorization_server_unavailable", `Discovery document of "${issuer}" lacks authorization_endpoint, token_endpoint or jwks_uri`);
  }

  const handle: AuthorizationServerHandle = {
    as,
    client: { client_id: config.authServer.clientId },
    clientAuth: clientAuthentication(),
    requestOptions,
  };
  cached = { handle, fetchedAt: Date.now(), issuer };
  return handle;
}
