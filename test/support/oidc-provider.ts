import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from "oidc-provider";

/**
 * A certified OpenID Provider (panva's oidc-provider) set up to issue tokens
 * the way a Descope Inbound App does, so the app's Descope mode can run a
 * whole launch without Descope:
 *
 * - issuer `{baseUrl}/v1/apps/{projectId}`, the path shape of Descope's issuer;
 * - one confidential client with `client_secret_post` and PKCE (S256) required;
 * - `resource` (RFC 8707) naming the FHIR base yields an RS256 JWT access token
 *   whose `aud` is `[projectId, clientId, fhirBase]` and which carries `scope`,
 *   `fhirUser` and `patient`, like a Descope JWT template.
 *
 * Login and consent use oidc-provider's development interactions: an HTML
 * login form that accepts any password for a known account, then a consent form.
 */
export interface TestAccount {
  fhirUser: string;
  patient?: string;
  name: string;
}

export interface OpenIdProviderOptions {
  projectId: string;
  clientId: string;
  clientSecret: string;
  /** Claims per account id; the account id is the login name typed into the form. */
  accounts: Record<string, TestAccount>;
}

export interface ClientRegistration {
  redirectUri: string;
  fhirBase: string;
  /** Scopes of the FHIR resource server; anything else is an OpenID scope or is dropped. */
  resourceScopes?: string[];
}

export interface RecordedRequest {
  path: string;
  params: Record<string, string>;
}

export interface TestOpenIdProvider {
  /** `http://127.0.0.1:{port}`: the value for DESCOPE_BASE_URL. */
  baseUrl: string;
  issuer: string;
  jwksUri: string;
  /** Query parameters of every authorization request, exactly as received. */
  authorizationRequests: RecordedRequest[];
  /** Parameters of every token request that oidc-provider recognised, without the client secret. */
  tokenRequests: RecordedRequest[];
  /** Errors the provider rendered or returned, for failure messages. */
  errors: string[];
  /** Create the provider once the app's redirect URI is known; requests before that get 503. */
  register(registration: ClientRegistration): void;
  stop(): Promise<void>;
}

const DEFAULT_RESOURCE_SCOPES = ["launch", "fhirUser", "patient/*.rs", "patient/*.read"];

function recordParams(source: Iterable<[string, unknown]>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of source) {
    if (key === "client_secret" || value === undefined) continue;
    params[key] = Array.isArray(value) ? value.join(" ") : String(value);
  }
  return params;
}

/**
 * Start the provider's HTTP server on a free loopback port. The server returns
 * 503 until `register` creates the provider. Registration comes later because
 * the client's redirect URI contains the app's port, which is known only after
 * the app starts, and the app needs this server's address to start.
 */
export async function startOpenIdProvider(options: OpenIdProviderOptions): Promise<TestOpenIdProvider> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: "test-op-key-1", alg: "RS256", use: "sig" };

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const mountPath = `/v1/apps/${options.projectId}`;

  const server: Server = createServer((req, res) => {
    if (!handler || !req.url?.startsWith(mountPath)) {
      res.writeHead(handler ? 404 : 503, { "content-type": "text/plain" }).end(handler ? "Not found" : "Provider not registered yet");
      return;
    }
    // oidc-provider routes below its mount point and finds the mount path
    // from `req.originalUrl` (lib/helpers/oidc_context.js in version 9).
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
    req.url = req.url.slice(mountPath.length) || "/";
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const issuer = `${baseUrl}${mountPath}`;

  const recorded: Pick<TestOpenIdProvider, "authorizationRequests" | "tokenRequests" | "errors"> = {
    authorizationRequests: [],
    tokenRequests: [],
    errors: [],
  };

  function register(registration: ClientRegistration): void {
    const resourceScopes = registration.resourceScopes ?? DEFAULT_RESOURCE_SCOPES;
    const account = (id: string | undefined) => (id ? options.accounts[id] : undefined);

    const configuration: Configuration = {
      clients: [
        {
          client_id: options.clientId,
          client_secret: options.clientSecret,
          redirect_uris: [registration.redirectUri],
          token_endpoint_auth_method: "client_secret_post",
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
          id_token_signed_response_alg: "RS256",
        },
      ],
      jwks: { keys: [signingKey] },
      cookies: { keys: ["test-op-cookie-key-0123456789abcdef"] },
      pkce: { required: () => true },
      // OpenID scopes; the SMART scopes belong to the FHIR resource server below.
      scopes: ["openid", "offline_access"],
      claims: { openid: ["sub"], fhirUser: ["fhirUser"], profile: ["name"] },
      // Put fhirUser and name into the id token even though an access token is issued too.
      conformIdTokenClaims: false,
      extraParams: {
        launch: null,
        // SMART App Launch sends the FHIR base as `aud`. oidc-provider drops
        // parameters it does not know, so declaring it makes the test server
        // check it as a strict server would: it must equal `resource`.
        aud(ctx: KoaContextWithOIDC, value: string | undefined) {
          const resource = ctx.oidc.params?.resource;
          if (value !== undefined && value !== resource) {
            throw new errors.InvalidRequest(`"aud" (${value}) must equal "resource" (${String(resource)})`);
          }
        },
      },
      async findAccount(_ctx, id) {
        const claims = account(id);
        if (!claims) return undefined;
        return { accountId: id, claims: async () => ({ sub: id, fhirUser: claims.fhirUser, name: claims.name }) };
      },
      // The claims a Descope JWT template adds from the user's custom attributes.
      async extraTokenClaims(_ctx, token) {
        const claims = account((token as { accountId?: string }).accountId);
        if (!claims) return undefined;
        return { fhirUser: claims.fhirUser, ...(claims.patient ? { patient: claims.patient } : {}) };
      },
      features: {
        devInteractions: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: async (_ctx, _client, oneOf) => oneOf ?? undefined,
          useGrantedResource: async () => true,
          async getResourceServerInfo(_ctx, indicator) {
            if (indicator !== registration.fhirBase) throw new errors.InvalidTarget(`unknown resource "${indicator}"`);
            return {
              scope: resourceScopes.join(" "),
              audience: registration.fhirBase,
              accessTokenFormat: "jwt",
              accessTokenTTL: 3600,
              jwt: { sign: { alg: "RS256" } },
            };
          },
        },
      },
      formats: {
        customizers: {
          // Descope puts the project id and client id next to the resource in `aud`.
          async jwt(_ctx, _token, jwt) {
            jwt.payload.aud = [options.projectId, options.clientId, String(jwt.payload.aud)];
            return jwt;
          },
        },
      },
      ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600, RefreshToken: 86_400 },
      renderError(ctx, out) {
        recorded.errors.push(`${out.error}: ${out.error_description ?? ""}`);
        ctx.type = "text/plain";
        ctx.body = `${out.error}: ${out.error_description ?? ""}`;
      },
    };

    const provider = new Provider(issuer, configuration);
    provider.on("authorization.error", (_ctx, error: Error) => recorded.errors.push(`authorization: ${error.message}`));
    provider.on("grant.error", (_ctx, error: Error) => recorded.errors.push(`token: ${error.message}`));
    provider.use(async (ctx, next) => {
      if (ctx.path === "/auth" && ctx.method === "GET") {
        recorded.authorizationRequests.push({ path: ctx.path, params: Object.fromEntries(ctx.URL.searchParams) });
      }
      await next();
      if (ctx.path === "/token" && ctx.oidc?.params) {
        recorded.tokenRequests.push({ path: ctx.path, params: recordParams(Object.entries(ctx.oidc.params)) });
      }
    });
    handler = provider.callback();
  }

  return {
    baseUrl,
    issuer,
    jwksUri: `${issuer}/jwks`,
    ...recorded,
    register,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
