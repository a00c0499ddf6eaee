import type { JWK } from "jose";
import { getConfig } from "@/lib/config";
import { getSandboxSigningKey } from "@/lib/sandbox/keys";
import { FIXED_SCOPES } from "./scopes";

/**
 * URLs and metadata of the sandbox authorization server, laid out like
 * Descope's Inbound Apps: the issuer carries the project id, the OAuth
 * endpoints do not.
 */
export interface AuthServerUrls {
  base: string;
  issuer: string;
  authorize: string;
  token: string;
  userinfo: string;
  revoke: string;
  jwks: string;
  /** Sign-in and consent pages of the sandbox, which stand in for Descope's hosted consent flow. */
  login: string;
  consent: string;
}

/** Return the URLs of the sandbox authorization server, all under `getConfig().authServer.descopeBaseUrl`. */
export function authServerUrls(): AuthServerUrls {
  const { descopeBaseUrl: base, projectId, issuer } = getConfig().authServer;
  return {
    base,
    issuer,
    authorize: `${base}/oauth2/v1/apps/authorize`,
    token: `${base}/oauth2/v1/apps/token`,
    userinfo: `${base}/oauth2/v1/apps/userinfo`,
    revoke: `${base}/oauth2/v1/apps/revoke`,
    jwks: `${base}/${projectId}/.well-known/jwks.json`,
    login: `${base}/login`,
    consent: `${base}/consent`,
  };
}

/** Return true when `projectId` is the sandbox project's id. */
export function isSandboxProject(projectId: string): boolean {
  return projectId === getConfig().authServer.projectId;
}

/** Return the OpenID Provider metadata (OpenID Connect Discovery 1.0 §3, RFC 8414 §2). */
export function openIdConfiguration(): Record<string, unknown> {
  const urls = authServerUrls();
  return {
    issuer: urls.issuer,
    authorization_endpoint: urls.authorize,
    token_endpoint: urls.token,
    userinfo_endpoint: urls.userinfo,
    revocation_endpoint: urls.revoke,
    jwks_uri: urls.jwks,
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
    revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    scopes_supported: [...Object.keys(FIXED_SCOPES), "patient/*.rs", "patient/*.read", "user/*.rs", "user/*.read"],
    claims_supported: ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "azp", "name", "fhirUser"],
    prompt_values_supported: ["none", "login", "consent"],
    authorization_response_iss_parameter_supported: true,
  };
}

/** Return the authorization server's JSON Web Key Set (RFC 7517 §5). */
export function authServerJwks(): { keys: JWK[] } {
  return { keys: [getSandboxSigningKey("authorization-server").publicJwk] };
}
