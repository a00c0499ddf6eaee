import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { sealData, unsealData } from "iron-session";
import { createLocalJWKSet, jwtVerify } from "jose";

/**
 * The practical limit for benchmark 2: a bare Node.js `http` server that does
 * the cryptography of our `/launch` and `/callback` with no framework, and
 * nothing else.
 *
 * - `/launch`: RS256 verification of the EHR launch token with jose and a
 *   single-use check of its `jti`. Then a random `state`, `nonce` and PKCE
 *   verifier with its S256 challenge, and an iron-session seal of a pending
 *   launch record shaped like ours, set as a cookie with a 303 to the
 *   authorization endpoint.
 * - `/callback`: unseal of that cookie, a constant-time `state` check, RS256
 *   verification of an access token and an id token, and a seal of the
 *   completed record with the tokens, with a 303 to the launch page.
 *
 * It makes no token request: benchmark 2 subtracts the sandbox token
 * endpoint's own CPU time from ours instead, and the HTTP client work of the
 * token request stays in our number.
 *
 * Usage: node bench/bare-server.mjs PORT CONFIG_JSON, where the config file
 * holds { sessionSecret, fhirBase, ehrIssuer, ehrJwks, asIssuer, asJwks,
 * authorizeUrl, clientId, scope, accessToken, idToken, idTokenAudience,
 * idTokenNonce, appBaseUrl }.
 */

const [port, configFile] = [Number(process.argv[2]), process.argv[3]];
if (!Number.isInteger(port) || port <= 0 || !configFile) {
  console.error("Usage: node bench/bare-server.mjs PORT CONFIG_JSON");
  process.exit(2);
}
const config = JSON.parse(readFileSync(configFile, "utf8"));
const ehrKeys = createLocalJWKSet(config.ehrJwks);
const asKeys = createLocalJWKSet(config.asJwks);
const COOKIE_PREFIX = "__Host-smart-launch-";
const PENDING_TTL_SECONDS = 10 * 60;
const usedJtis = new Map();

function randomId() {
  return randomBytes(16).toString("base64url");
}

function redirect(response, location, cookie) {
  response.writeHead(303, { location, "cache-control": "no-store", "set-cookie": cookie });
  response.end();
}

function fail(response, status, message) {
  response.writeHead(status, { "content-type": "text/plain" });
  response.end(message);
}

function cookieHeader(name, value, maxAge) {
  return `${name}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=None; Partitioned`;
}

async function launch(url, response) {
  const iss = url.searchParams.get("iss");
  if (iss !== config.fhirBase) return fail(response, 400, "untrusted iss");
  const { payload } = await jwtVerify(url.searchParams.get("launch") ?? "", ehrKeys, {
    issuer: config.ehrIssuer,
    audience: iss,
    algorithms: ["RS256", "ES256"],
    clockTolerance: 30,
  });
  if (usedJtis.has(payload.jti)) return fail(response, 400, "launch token replayed");
  usedJtis.set(payload.jti, payload.exp);

  const id = randomId();
  const state = `${id}.${randomBytes(32).toString("base64url")}`;
  const codeVerifier = randomBytes(32).toString("base64url");
  const nonce = randomBytes(32).toString("base64url");
  const authorize = new URL(config.authorizeUrl);
  const parameters = {
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: `${config.appBaseUrl}/callback`,
    scope: config.scope,
    state,
    nonce,
    aud: iss,
    resource: iss,
    code_challenge: createHash("sha256").update(codeVerifier).digest("base64url"),
    code_challenge_method: "S256",
    launch: url.searchParams.get("launch"),
  };
  for (const [name, value] of Object.entries(parameters)) authorize.searchParams.set(name, value);

  const now = Date.now();
  const record = {
    id,
    kind: "ehr",
    iss,
    createdAt: now,
    requestedScope: config.scope,
    launchContext: {
      patient: payload.patient,
      encounter: payload.encounter,
      fhirUser: payload.fhirUser,
      needPatientBanner: payload.need_patient_banner,
      smartStyleUrl: payload.smart_style_url,
    },
    pending: { state, codeVerifier, nonce, expiresAt: now + PENDING_TTL_SECONDS * 1000 },
  };
  const sealed = await sealData(record, { password: config.sessionSecret, ttl: PENDING_TTL_SECONDS });
  redirect(response, authorize.href, cookieHeader(`${COOKIE_PREFIX}${id}`, sealed, PENDING_TTL_SECONDS));
}

function readCookie(request, name) {
  for (const part of String(request.headers.cookie ?? "").split(";")) {
    const separator = part.indexOf("=");
    if (part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

function sameText(a, b) {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

async function callback(url, request, response) {
  const state = url.searchParams.get("state") ?? "";
  const id = /^([A-Za-z0-9_-]{16,64})\./.exec(state)?.[1];
  const sealed = id ? readCookie(request, `${COOKIE_PREFIX}${id}`) : undefined;
  if (!id || !sealed) return fail(response, 400, "unknown state");
  const record = await unsealData(sealed, { password: config.sessionSecret, ttl: 7 * 24 * 3600 });
  if (record.id !== id || !record.pending || !sameText(state, record.pending.state)) return fail(response, 400, "state mismatch");

  const { payload: claims } = await jwtVerify(config.accessToken, asKeys, {
    issuer: config.asIssuer,
    audience: record.iss,
    algorithms: ["RS256", "ES256"],
    clockTolerance: 30,
    requiredClaims: ["exp", "iat"],
  });
  const { payload: idClaims } = await jwtVerify(config.idToken, asKeys, {
    issuer: config.asIssuer,
    audience: config.idTokenAudience,
    algorithms: ["RS256", "ES256"],
    clockTolerance: 30,
    requiredClaims: ["exp", "iat", "sub"],
  });
  if (idClaims.nonce !== config.idTokenNonce) return fail(response, 400, "nonce mismatch");

  const now = Date.now();
  const completed = {
    ...record,
    createdAt: now,
    lastSeenAt: now,
    launchContext: {},
    pending: undefined,
    tokens: { accessToken: config.accessToken, tokenType: "bearer", scope: claims.scope ?? config.scope, expiresAt: now + 3600 * 1000 },
    context: { ...record.launchContext, fhirUser: idClaims.fhirUser ?? record.launchContext.fhirUser },
    userName: idClaims.name,
  };
  const maxAge = 8 * 3600;
  const sealedCompleted = await sealData(completed, { password: config.sessionSecret, ttl: maxAge });
  redirect(response, `${config.appBaseUrl}/launches/${id}`, cookieHeader(`${COOKIE_PREFIX}${id}`, sealedCompleted, maxAge));
}

const server = createServer((request, response) => {
  const url = new URL(request.url ?? "/", `http://${request.headers.host ?? "localhost"}`);
  const handler = url.pathname === "/launch" ? launch(url, response) : url.pathname === "/callback" ? callback(url, request, response) : undefined;
  if (url.pathname === "/health") return response.end("ok");
  if (!handler) return fail(response, 404, "not found");
  handler.catch((error) => fail(response, 400, `rejected: ${error instanceof Error ? error.message : String(error)}`));
});

server.keepAliveTimeout = 30_000;
server.listen(port, "127.0.0.1", () => console.log(`bare server on http://127.0.0.1:${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
