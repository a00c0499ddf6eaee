import { OAuthError } from "./errors";
import { singleParam } from "./http";
import { verifyAccessToken } from "./tokens";
import { findSandboxUser } from "./users";

/** Claims returned by the UserInfo endpoint (OpenID Connect Core §5.3). */
export interface UserInfo {
  sub: string;
  name?: string;
  fhirUser?: string;
}

function bearerChallenge(error: string, description: string): Record<string, string> {
  return { "www-authenticate": `Bearer realm="sandbox", error="${error}", error_description="${description.replace(/"/g, "'")}"` };
}

/** Return the access token of a request: the Bearer `Authorization` header, or `access_token` in a form body (RFC 6750 §2). */
function readBearerToken(authorization: string | null, params: URLSearchParams | undefined): string {
  const fromHeader = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  const fromBody = params ? singleParam(params, "access_token", 16_384) : undefined;
  if (fromHeader !== undefined && fromBody !== undefined) {
    throw new OAuthError("invalid_request", `Send the access token in the "Authorization" header or the body, not both`);
  }

  const token = fromHeader ?? fromBody;
  if (token === undefined) {
    // RFC 6750 §3.1: a request without a token gets the challenge but no error code.
    throw new OAuthError("invalid_token", `The access token is missing: send "Authorization: Bearer <token>"`, {
      headers: { "www-authenticate": 'Bearer realm="sandbox"' },
    });
  }
  return token;
}

/**
 * Process a UserInfo request: verify the access token and return the user's
 * `sub`, `name` and `fhirUser`. Throws `invalid_token` (401) or
 * `insufficient_scope` (403) with a Bearer challenge.
 */
export async function handleUserInfo(authorization: string | null, params?: URLSearchParams, now: Date = new Date()): Promise<UserInfo> {
  const token = readBearerToken(authorization, params);

  let claims;
  try {
    claims = await verifyAccessToken(token, now);
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    throw new OAuthError(error.code, error.description, { cause: error.cause, headers: bearerChallenge(error.code, error.description) });
  }

  if (!claims.scope.split(" ").includes("openid")) {
    const description = `The access token lacks the "openid" scope`;
    throw new OAuthError("insufficient_scope", description, { headers: bearerChallenge("insufficient_scope", description) });
  }

  const user = await findSandboxUser(claims.sub);
  return { sub: claims.sub, name: user?.name, fhirUser: claims.fhirUser };
}
