import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type JWK } from "jose";

/**
 * A small OpenID provider for the security and fault suites, shaped like a
 * Descope Inbound App (issuer `{baseUrl}/v1/apps/{projectId}`, RS256 access
 * tokens whose `aud` contains the project id, the client id and the FHIR
 * base). Each test switches its misbehaviour on per request:
 *
 * - the token endpoint can answer with any status, hang, or issue tokens that
 *   are tampered with (`alg: none`, HS256 signed with the public key, unknown
 *   `kid`, foreign key, changed claims, another `nonce`);
 * - its clock can run ahead or behind;
 * - the JWKS endpoint can be down, and the signing key can be rotated.
 *
 * The authorization endpoint signs the configured account in at once and
 * redirects to the client with a code, `state` and `iss` (RFC 9207), so a
 * launch needs no login form. PKCE (S256) and `client_secret_post` are checked.
 */
export interface FaultAccount {
  sub: string;
  name: string;
  fhirUser: string;
  /** Patient in context: sent in the token response and as an access token claim. */
  patient?: string;
}

/** Changes to one token: claims merged over the normal ones (`undefined` deletes a claim), header fields, and how it is signed. */
export interface TokenTamper {
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  /** `alg-none`: unsigned; `hs256-public-key`: HMAC keyed with the public key's PEM; `foreign-key`: RS256 by a key not in the JWKS. */
  signing?: "alg-none" | "hs256-public-key" | "foreign-key";
}

export type TokenFault =
  /** Respond with this status and body instead of tokens. */
  | { kind: "status"; status: number; body: string; contentType?: string }
  /** Do not respond until the bounded hang ends or the server stops. */
  | { kind: "hang" }
  /** Issue tokens, changed as described. */
  | { kind: "tokens"; access?: TokenTamper; id?: TokenTamper };

export interface FaultAuthServerOptions {
  projectId: string;
  clientId: string;
  clientSecret: string;
  account: FaultAccount;
}

export interface FaultAuthServer {
  /** `http://127.0.0.1:{port}`: the value for DESCOPE_BASE_URL. */
  baseUrl: string;
  issuer: string;
  jwksUri: string;
  /** The account the authorization endpoint signs in; tests may replace it. */
  account: FaultAccount;
  /** Seconds added to the real clock for `iat`, `nbf` and `exp`. */
  clockOffsetSeconds: number;
  accessTokenTtlSeconds: number;
  /** Faults for the next token requests, first in first out; each request takes one. */
  tokenFaults: TokenFault[];
  /** Extra fields of every token response, such as SMART's `smart_style_url`. */
  tokenResponseExtras: Record<string, unknown>;
  /** `down` makes every JWKS request fail with 503. */
  jwks: "up" | "down";
  /** Requests per endpoint: `discovery`, `authorize`, `token`, `jwks`, `revoke`. */
  counts: Record<string, number>;
  /** Every code, access token and refresh token issued, for log scans. */
  issued: string[];
  /** Generate a new signing key; the JWKS then lists only the new key. */
  rotateKey(): Promise<void>;
  /** Set the redirect URI of the client and the FHIR base its tokens are for. */
  register(redirectUri: string, fhirBase: string): void;
  stop(): Promise<void>;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  publicPem: string;
}

interface PendingCode {
  redirectUri: string;
  codeChallenge: string;
  nonce?: string;
  scope: string;
  resource: string;
}

/** Maximum time a hanging response stays open, so a forgotten fault cannot keep a test run alive. */
const MAX_HANG_MS = 20_000;

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = randomBytes(8).toString("hex");
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" }, publicPem: await exportSPKI(publicKey) };
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
}

export async function startFaultAuthServer(options: FaultAuthServerOptions): Promise<FaultAuthServer> {
  let key = await newSigningKey();
  const foreignKey = await newSigningKey();
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, PendingCode>();
  const hanging = new Set<NodeJS.Timeout>();
  let registration: { redirectUri: string; fhirBase: string } | undefined;
  const mountPath = `/v1/apps/${options.projectId}`;

  const state: FaultAuthServer = {
    baseUrl: "",
    issuer: "",
    jwksUri: "",
    account: options.account,
    clockOffsetSeconds: 0,
    accessTokenTtlSeconds: 3600,
    tokenFaults: [],
    tokenResponseExtras: {},
    jwks: "up",
    counts: { discovery: 0, authorize: 0, token: 0, jwks: 0, revoke: 0 },
    issued: [],
    rotateKey: async () => {
      key = await newSigningKey();
    },
    register: (redirectUri, fhirBase) => {
      registration = { redirectUri, fhirBase };
    },
    stop: async () => {
      for (const timer of hanging) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function sign(claims: Record<string, unknown>, tamper: TokenTamper = {}): Promise<string> {
    const merged: Record<string, unknown> = { ...claims };
    for (const [name, value] of Object.entries(tamper.claims ?? {})) {
      if (value === undefined) delete merged[name];
      else merged[name] = value;
    }
    if (tamper.signing === "alg-none") return new UnsecuredJWT(merged).encode();
    if (tamper.signing === "hs256-public-key") {
      return new SignJWT(merged).setProtectedHeader({ alg: "HS256", kid: key.kid, typ: "JWT", ...tamper.header }).sign(new TextEncoder().encode(key.publicPem));
    }
    const signer = tamper.signing === "foreign-key" ? foreignKey : key;
    return new SignJWT(merged).setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT", ...tamper.header }).sign(signer.privateKey);
  }

  async function issueTokens(grant: PendingCode, fault: Extract<TokenFault, { kind: "tokens" }> | undefined): Promise<Record<string, unknown>> {
    const now = Math.floor(Date.now() / 1000) + state.clockOffsetSeconds;
    const account = state.account;
    const accessToken = await sign(
      {
        iss: state.issuer,
        sub: account.sub,
        aud: [options.projectId, options.clientId, grant.resource],
        azp: options.clientId,
        scope: grant.scope,
        fhirUser: account.fhirUser,
        ...(account.patient ? { patient: account.patient } : {}),
        iat: now,
        nbf: now,
        exp: now + state.accessTokenTtlSeconds,
        jti: randomBytes(12).toString("base64url"),
      },
      fault?.access,
    );
    const wantsIdToken = grant.scope.split(" ").includes("openid");
    const idToken = wantsIdToken
      ? await sign(
          { iss: state.issuer, sub: account.sub, aud: options.clientId, nonce: grant.nonce, fhirUser: account.fhirUser, name: account.name, iat: now, exp: now + 600 },
          fault?.id,
        )
      : undefined;
    const refreshToken = `rt-${randomBytes(24).toString("base64url")}`;
    refreshTokens.set(refreshToken, grant);
    state.issued.push(accessToken, refreshToken, ...(idToken ? [idToken] : []));

    return {
      access_token: accessToken,
      token_type: "Bearer",
      expires_in: state.accessTokenTtlSeconds,
      scope: grant.scope,
      refresh_token: refreshToken,
      ...(idToken ? { id_token: idToken } : {}),
      ...(account.patient ? { patient: account.patient } : {}),
      ...state.tokenResponseExtras,
    };
  }

  function authorize(url: URL, res: ServerResponse): void {
    const params = url.searchParams;
    const redirectUri = params.get("redirect_uri") ?? "";
    if (!registration || params.get("client_id") !== options.clientId || redirectUri !== registration.redirectUri) {
      res.writeHead(400, { "content-type": "text/plain" }).end("unknown client or redirect_uri");
      return;
    }
    const code = `code-${randomBytes(24).toString("base64url")}`;
    codes.set(code, {
      redirectUri,
      codeChallenge: params.get("code_challenge") ?? "",
      nonce: params.get("nonce") ?? undefined,
      scope: params.get("scope") ?? "",
      resource: params.get("resource") ?? params.get("aud") ?? registration.fhirBase,
    });
    state.issued.push(code);
    const target = new URL(redirectUri);
    target.searchParams.set("code", code);
    if (params.get("state")) target.searchParams.set("state", params.get("state")!);
    target.searchParams.set("iss", state.issuer);
    res.writeHead(302, { location: target.href }).end();
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    const fault = state.tokenFaults.shift();
    if (fault?.kind === "status") {
      res.writeHead(fault.status, { "content-type": fault.contentType ?? "text/html" }).end(fault.body);
      return;
    }
    if (fault?.kind === "hang") {
      const timer = setTimeout(() => {
        hanging.delete(timer);
        json(res, 504, { error: "temporarily_unavailable" });
      }, MAX_HANG_MS);
      hanging.add(timer);
      return;
    }

    if (form.get("client_id") !== options.clientId || form.get("client_secret") !== options.clientSecret) {
      return json(res, 401, { error: "invalid_client" });
    }

    let grant: PendingCode | undefined;
    if (form.get("grant_type") === "authorization_code") {
      const code = form.get("code") ?? "";
      grant = codes.get(code);
      codes.delete(code);
      const challenge = createHash("sha256").update(form.get("code_verifier") ?? "").digest("base64url");
      if (!grant || grant.redirectUri !== form.get("redirect_uri") || grant.codeChallenge !== challenge) {
        return json(res, 400, { error: "invalid_grant", error_description: "code, redirect_uri or code_verifier is wrong" });
      }
    } else if (form.get("grant_type") === "refresh_token") {
      const refreshToken = form.get("refresh_token") ?? "";
      grant = refreshTokens.get(refreshToken);
      refreshTokens.delete(refreshToken);
      if (!grant) return json(res, 400, { error: "invalid_grant", error_description: "unknown refresh token" });
    } else {
      return json(res, 400, { error: "unsupported_grant_type" });
    }
    json(res, 200, await issueTokens(grant, fault));
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", state.baseUrl);
    const route = `${req.method} ${url.pathname}`;
    const fail = (error: unknown) => {
      if (!res.headersSent) json(res, 500, { error: "server_error", error_description: String(error) });
    };

    if (route === `GET ${mountPath}/.well-known/openid-configuration`) {
      state.counts.discovery!++;
      return json(res, 200, {
        issuer: state.issuer,
        authorization_endpoint: `${state.baseUrl}/authorize`,
        token_endpoint: `${state.baseUrl}/token`,
        jwks_uri: state.jwksUri,
        revocation_endpoint: `${state.baseUrl}/revoke`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_post"],
        authorization_response_iss_parameter_supported: true,
      });
    }
    if (route === "GET /authorize") {
      state.counts.authorize!++;
      return authorize(url, res);
    }
    if (route === "POST /token") {
      state.counts.token!++;
      return void token(req, res).catch(fail);
    }
    if (route === "GET /jwks") {
      state.counts.jwks!++;
      if (state.jwks === "down") return json(res, 503, { error: "temporarily_unavailable" });
      return json(res, 200, { keys: [key.publicJwk] });
    }
    if (route === "POST /revoke") {
      state.counts.revoke!++;
      req.resume();
      return json(res, 200, {});
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}`;
  state.issuer = `${state.baseUrl}${mountPath}`;
  state.jwksUri = `${state.baseUrl}/jwks`;
  return state;
}
