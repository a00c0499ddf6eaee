import { createHash, timingSafeEqual } from "node:crypto";
import { getConfig } from "@/lib/config";
import { getSandboxClientSecret } from "@/lib/sandbox/keys";
import { OAuthError } from "./errors";

/** A client registered with the sandbox authorization server. */
export interface SandboxClient {
  clientId: string;
  /** Name shown on the consent page. */
  name: string;
  /** A confidential client authenticates with its secret; a public one relies on PKCE alone. */
  type: "confidential" | "public";
  /** Redirect URIs, compared character for character. */
  redirectUris: string[];
}

export type ClientAuthMethod = "client_secret_basic" | "client_secret_post" | "none";

/** Client id of the public client used by generic OAuth and OpenID Connect client tests. */
export const SANDBOX_PUBLIC_CLIENT_ID = "sandbox-public-client";

/** Return every registered client: this app, and a public client for generic-client tests. */
export function listSandboxClients(): SandboxClient[] {
  const config = getConfig();
  return [
    { clientId: config.authServer.clientId, name: "SMART on FHIR with Descope", type: "confidential", redirectUris: [config.redirectUri] },
    {
      clientId: SANDBOX_PUBLIC_CLIENT_ID,
      name: "Sandbox public test client",
      type: "public",
      redirectUris: ["http://127.0.0.1/callback", "http://localhost/callback", ...config.sandbox.extraRedirectUris],
    },
  ];
}

/** Return the client registered as `clientId`, or undefined. */
export function findSandboxClient(clientId: string | undefined): SandboxClient | undefined {
  return listSandboxClients().find((client) => client.clientId === clientId);
}

/** Return the secret of a confidential client. */
function clientSecret(client: SandboxClient): string {
  return client.clientId === getConfig().authServer.clientId ? getSandboxClientSecret() : "";
}

// Comparing digests keeps the comparison constant-time even when lengths differ.
function secretsEqual(actual: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return expected !== "" && timingSafeEqual(digest(actual), digest(expected));
}

interface PresentedCredentials {
  method: ClientAuthMethod;
  clientId: string | undefined;
  secret: string | undefined;
}

const BASIC_CHALLENGE = { "www-authenticate": 'Basic realm="sandbox", charset="UTF-8"' };

// RFC 6749 §2.3.1: the id and secret are form-urlencoded before they are joined and base64-encoded.
function decodeBasicPart(part: string): string {
  return decodeURIComponent(part.replace(/\+/g, " "));
}

function readBasicCredentials(header: string): { clientId: string; secret: string } {
  const decoded = Buffer.from(header.slice("Basic ".length).trim(), "base64").toString("utf8");
  const separator = decoded.indexOf(":");
  if (separator < 0) {
    throw new OAuthError("invalid_client", `The "Authorization" header is not valid Basic credentials`, { headers: BASIC_CHALLENGE });
  }
  try {
    return { clientId: decodeBasicPart(decoded.slice(0, separator)), secret: decodeBasicPart(decoded.slice(separator + 1)) };
  } catch (error) {
    throw new OAuthError("invalid_client", `The "Authorization" header is not valid Basic credentials`, { cause: error, headers: BASIC_CHALLENGE });
  }
}

function presentedCredentials(params: URLSearchParams, authorization: string | null): PresentedCredentials {
  const bodyClientId = params.get("client_id") ?? undefined;
  const bodySecret = params.get("client_secret") ?? undefined;
  if (!authorization?.startsWith("Basic ")) {
    return { method: bodySecret === undefined ? "none" : "client_secret_post", clientId: bodyClientId, secret: bodySecret };
  }

  if (bodySecret !== undefined) {
    throw new OAuthError("invalid_request", `The client used both the "Authorization" header and "client_secret"; use only one method (RFC 6749 §2.3)`);
  }
  const basic = readBasicCredentials(authorization);
  if (bodyClientId !== undefined && bodyClientId !== basic.clientId) {
    throw new OAuthError("invalid_request", `"client_id" differs from the client id in the "Authorization" header`);
  }
  return { method: "client_secret_basic", clientId: basic.clientId, secret: basic.secret };
}

/**
 * Authenticate the client of a token or revocation request (RFC 6749 §2.3):
 * the confidential client with `client_secret_basic` or `client_secret_post`,
 * the public client by `client_id` alone. Throws `invalid_client`, with a
 * Basic challenge when the client tried Basic authentication.
 */
export function authenticateClient(params: URLSearchParams, authorization: string | null): { client: SandboxClient; method: ClientAuthMethod } {
  const presented = presentedCredentials(params, authorization);
  const challenge = presented.method === "client_secret_basic" ? { headers: BASIC_CHALLENGE } : {};
  if (presented.clientId === undefined) {
    throw new OAuthError("invalid_client", `"client_id" is missing: send it in the body, or authenticate with the "Authorization" header`);
  }

  const client = findSandboxClient(presented.clientId);
  if (!client) throw new OAuthError("invalid_client", `"client_id" is not a registered client`, { ...challenge, cause: { clientId: presented.clientId } });

  if (client.type === "public") {
    if (presented.method !== "none") throw new OAuthError("invalid_client", `The public client must not send a client secret`, challenge);
    return { client, method: "none" };
  }

  if (presented.method === "none") {
    throw new OAuthError("invalid_client", `Client authentication is required: send "client_secret" or use the "Authorization" header`);
  }
  if (!secretsEqual(presented.secret ?? "", clientSecret(client))) {
    throw new OAuthError("invalid_client", `The client secret is wrong`, challenge);
  }
  return { client, method: presented.method };
}
