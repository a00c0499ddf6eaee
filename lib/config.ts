import { z } from "zod";

/**
 * The app's whole configuration, read from the environment once.
 *
 * Every variable is documented in `.env.example`. A missing or malformed value
 * stops start-up with a message that names the variable; there are no fallback
 * secrets.
 */
export interface AppConfig {
  /** Origin the app is served from, without a trailing slash. */
  baseUrl: string;
  /** True for a production deployment (`VERCEL_ENV=production` or `APP_ENV=production`). */
  isProduction: boolean;
  sessionSecret: string;
  /** Launch URL and redirect URI, both derived from `baseUrl` and never from request headers. */
  launchUrl: string;
  redirectUri: string;
  authServer: AuthServerConfig;
  trustedIssuers: TrustedIssuer[];
  /** Scopes requested on an EHR launch, space-separated. */
  scopes: string;
  /** Scopes requested on a standalone launch, space-separated. */
  standaloneScopes: string;
  fhirTimeoutMs: number;
  /** Number of launches kept at once; starting another evicts the oldest. */
  maxLaunches: number;
  /** A launch unused for this long ends. */
  sessionIdleSeconds: number;
  /** A launch ends this long after it started, used or not. */
  sessionMaxSeconds: number;
  /**
   * Where the login runs when the app is framed by the EHR: in the frame, or
   * in a popup for authorization servers whose login pages refuse framing.
   */
  loginWhenFramed: "frame" | "popup";
  /** Test-only: session cookies without `Partitioned`, to show what breaks in a third-party frame. */
  unsafeUnpartitionedCookies: boolean;
  logLevel: "debug" | "info" | "warn" | "error";
  sandbox: SandboxConfig;
}

export interface AuthServerConfig {
  mode: "sandbox" | "descope";
  projectId: string;
  /** Descope base URL, for example `https://api.descope.com`. */
  descopeBaseUrl: string;
  /** `{descopeBaseUrl}/v1/apps/{projectId}`: the OpenID issuer of Inbound App tokens. */
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  clientAuth: "client_secret_post" | "client_secret_basic" | "none";
  consentFlowId: string;
  /** Base URL of the Descope flow pages (`DESCOPE_STATIC_URL`); unset lets the Descope SDK choose. */
  staticUrl?: string;
  /** Preferred base URL for Descope's UI component scripts (`DESCOPE_CDN_URL`); the SDK falls back to its CDNs. */
  cdnUrl?: string;
}

export interface TrustedIssuer {
  /** FHIR base URL exactly as the EHR sends it in `iss`. */
  iss: string;
  name: string;
  /** Source of the launch context (patient, encounter, user): a signed EHR launch token, or the token claims. */
  launchContext: { type: "launch-token"; issuer: string; jwksUrl: string } | { type: "token-claims" };
  /** Origins allowed to frame the app after a launch from this issuer. */
  frameAncestors: string[];
}

export interface SandboxConfig {
  enabled: boolean;
  fhirBase: string;
  ehrIssuer: string;
  /** Folder of FHIR R4 Bundles to load; when unset the built-in generator makes the data. */
  dataDir: string | undefined;
  seed: number;
  patientCount: number;
  accessTokenTtlSeconds: number;
  /** Extra origins that may frame the app when launched from the sandbox EHR (`SANDBOX_FRAME_ANCESTORS`). */
  frameAncestors: string[];
  /** When true the sandbox login and consent pages refuse to be framed, like many real login pages. */
  loginRefusesFraming: boolean;
  /** Redirect URIs of the sandbox's public client besides its built-in ones (`SANDBOX_EXTRA_REDIRECT_URIS`), on loopback hosts only. */
  extraRedirectUris: string[];
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n- ${problems.join("\n- ")}\nSee .env.example for every variable.`);
    this.name = "ConfigError";
  }
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Return true for `http:` URLs that stay on this machine; any other `http:` URL is rejected. */
export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith(".localhost");
}

function secureUrl(variable: string) {
  return z.string().superRefine((value, context) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      context.addIssue({ code: "custom", message: `"${variable}" must be an absolute URL, got "${value}"` });
      return;
    }
    if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackUrl(url))) {
      context.addIssue({ code: "custom", message: `"${variable}" must use https (http is allowed only for localhost), got "${value}"` });
    }
    if (url.username || url.password || url.hash) {
      context.addIssue({ code: "custom", message: `"${variable}" must not contain credentials or a fragment` });
    }
  });
}

const booleanFlag = z.enum(["true", "false", "1", "0"]).transform((value) => value === "true" || value === "1");

const trustedIssuerSchema = z.object({
  iss: secureUrl("TRUSTED_ISSUERS[].iss"),
  name: z.string().min(1),
  launchContext: z.discriminatedUnion("type", [
    z.object({ type: z.literal("launch-token"), issuer: z.string().min(1), jwksUrl: secureUrl("TRUSTED_ISSUERS[].launchContext.jwksUrl") }),
    z.object({ type: z.literal("token-claims") }),
  ]),
  frameAncestors: z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, "must be an origin such as https://ehr.example")).default([]),
});

const DEFAULT_SCOPES = "launch openid fhirUser patient/*.rs";
// A practitioner on a standalone launch picks the patient in the app, so
// user/ scopes are needed too; the FHIR server confines a patient user to
// their own record whatever the scope grants.
const DEFAULT_STANDALONE_SCOPES = "launch/patient openid fhirUser offline_access patient/*.rs user/*.rs";
const SANDBOX_PROJECT_ID = "Psandbox";
const SANDBOX_CLIENT_ID = "sandbox-smart-app";

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === "" ? undefined : value;
}

function resolveBaseUrl(env: Env, problems: string[]): string {
  const explicit = read(env, "APP_BASE_URL");
  const vercelHost = read(env, "VERCEL_BRANCH_URL") ?? read(env, "VERCEL_URL");
  const candidate = explicit ?? (vercelHost ? `https://${vercelHost}` : `http://localhost:${read(env, "PORT") ?? "3000"}`);
  const result = secureUrl(explicit ? "APP_BASE_URL" : "VERCEL_URL").safeParse(candidate);
  if (!result.success) {
    problems.push(...result.error.issues.map((issue) => issue.message));
    return candidate;
  }
  return new URL(candidate).origin;
}

function parseNumber(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`"${name}" must be a whole number from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  return value;
}

function parseFlag(env: Env, name: string, problems: string[]): boolean {
  const raw = read(env, name);
  if (raw === undefined) return false;
  const result = booleanFlag.safeParse(raw);
  if (!result.success) {
    problems.push(`"${name}" must be true or false, got "${raw}"`);
    return false;
  }
  return result.data;
}

function parseTrustedIssuers(env: Env, problems: string[]): TrustedIssuer[] {
  const raw = read(env, "TRUSTED_ISSUERS");
  if (raw === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    problems.push(`"TRUSTED_ISSUERS" must be a JSON array of issuer objects`);
    return [];
  }
  const result = z.array(trustedIssuerSchema).safeParse(json);
  if (!result.success) {
    problems.push(...result.error.issues.map((issue) => `"TRUSTED_ISSUERS" ${issue.path.join(".")}: ${issue.message}`));
    return [];
  }
  return result.data;
}

function parseAuthServer(env: Env, baseUrl: string, sandboxEnabled: boolean, problems: string[]): AuthServerConfig {
  const projectId = read(env, "DESCOPE_PROJECT_ID");
  const consentFlowId = read(env, "DESCOPE_CONSENT_FLOW_ID") ?? "inbound-apps-user-consent";
  const clientAuth = read(env, "DESCOPE_CLIENT_AUTH") ?? "client_secret_post";
  if (!["client_secret_post", "client_secret_basic", "none"].includes(clientAuth)) {
    problems.push(`"DESCOPE_CLIENT_AUTH" must be client_secret_post, client_secret_basic or none, got "${clientAuth}"`);
  }

  if (projectId === undefined) {
    if (!sandboxEnabled) {
      problems.push(`"DESCOPE_PROJECT_ID" is missing: set it to your Descope project id, or set SANDBOX_ENABLED=true to use the built-in sandbox`);
    }
    const descopeBaseUrl = `${baseUrl}/sandbox/descope`;
    return {
      mode: "sandbox",
      projectId: SANDBOX_PROJECT_ID,
      descopeBaseUrl,
      issuer: `${descopeBaseUrl}/v1/apps/${SANDBOX_PROJECT_ID}`,
      clientId: SANDBOX_CLIENT_ID,
      clientSecret: undefined,
      clientAuth: "client_secret_post",
      consentFlowId,
    };
  }

  if (!/^[A-Za-z0-9]+$/.test(projectId)) problems.push(`"DESCOPE_PROJECT_ID" must be letters and digits only, got "${projectId}"`);
  const descopeBaseUrl = (read(env, "DESCOPE_BASE_URL") ?? "https://api.descope.com").replace(/\/+$/, "");
  const baseCheck = secureUrl("DESCOPE_BASE_URL").safeParse(descopeBaseUrl);
  if (!baseCheck.success) problems.push(...baseCheck.error.issues.map((issue) => issue.message));

  const clientId = read(env, "DESCOPE_CLIENT_ID");
  const clientSecret = read(env, "DESCOPE_CLIENT_SECRET");
  const staticUrl = read(env, "DESCOPE_STATIC_URL")?.replace(/\/+$/, "");
  const cdnUrl = read(env, "DESCOPE_CDN_URL")?.replace(/\/+$/, "");
  for (const [variable, value] of [["DESCOPE_STATIC_URL", staticUrl], ["DESCOPE_CDN_URL", cdnUrl]] as const) {
    const check = value === undefined ? undefined : secureUrl(variable).safeParse(value);
    if (check && !check.success) problems.push(...check.error.issues.map((issue) => issue.message));
  }

  if (clientId === undefined) problems.push(`"DESCOPE_CLIENT_ID" is missing: copy the Inbound App's client id from the Descope console`);
  if (clientAuth !== "none" && clientSecret === undefined) {
    problems.push(`"DESCOPE_CLIENT_SECRET" is missing: copy the Inbound App's client secret, or set DESCOPE_CLIENT_AUTH=none for a public client`);
  }

  return {
    mode: "descope",
    projectId,
    descopeBaseUrl,
    issuer: `${descopeBaseUrl}/v1/apps/${projectId}`,
    clientId: clientId ?? "",
    clientSecret,
    clientAuth: clientAuth as AuthServerConfig["clientAuth"],
    consentFlowId,
    staticUrl,
    cdnUrl,
  };
}

/**
 * Return the other loopback name of a local origin (`localhost` and
 * `127.0.0.1`), so the sandbox EHR opened under either name may frame the app.
 */
function loopbackTwin(baseUrl: string): string[] {
  const url = new URL(baseUrl);
  if (url.hostname === "localhost") url.hostname = "127.0.0.1";
  else if (url.hostname === "127.0.0.1") url.hostname = "localhost";
  else return [];
  return [url.origin];
}

function sandboxIssuer(baseUrl: string, extraFrameAncestors: string[]): TrustedIssuer {
  return {
    iss: `${baseUrl}/sandbox/fhir`,
    name: "Sandbox EHR",
    launchContext: { type: "launch-token", issuer: `${baseUrl}/sandbox/ehr`, jwksUrl: `${baseUrl}/sandbox/ehr/.well-known/jwks.json` },
    frameAncestors: [...new Set([baseUrl, ...loopbackTwin(baseUrl), ...extraFrameAncestors])],
  };
}

function parseOrigins(env: Env, name: string, problems: string[]): string[] {
  const raw = read(env, name);
  if (raw === undefined) return [];
  const origins = raw.split(",").map((item) => item.trim()).filter(Boolean);
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) problems.push(`"${name}" must list origins such as https://ehr.example, got "${origin}"`);
  }
  return origins;
}

function parseLoopbackUrls(env: Env, name: string, problems: string[]): string[] {
  const raw = read(env, name);
  if (raw === undefined) return [];
  const urls = raw.split(",").map((item) => item.trim()).filter(Boolean);
  for (const value of urls) {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    const valid = url !== undefined && ["http:", "https:"].includes(url.protocol) && isLoopbackUrl(url) && !url.username && !url.password && !url.hash;
    if (!valid) problems.push(`"${name}" must list URLs on a loopback host such as http://localhost:8080/callback, got "${value}"`);
  }
  return urls;
}

function parseChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T, problems: string[]): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  problems.push(`"${name}" must be one of ${choices.join(", ")}, got "${raw}"`);
  return fallback;
}

/** Parse and validate the configuration from `env`; throws one ConfigError listing every problem. */
export function parseConfig(env: Env): AppConfig {
  const problems: string[] = [];
  const baseUrl = resolveBaseUrl(env, problems);
  const isProduction = read(env, "VERCEL_ENV") === "production" || read(env, "APP_ENV") === "production";

  const sessionSecret = read(env, "SESSION_SECRET");
  if (sessionSecret === undefined) {
    problems.push(`"SESSION_SECRET" is missing: set it to a random string of at least 32 characters (npm run prepare-env writes one into .env.local)`);
  } else if (sessionSecret.length < 32) {
    problems.push(`"SESSION_SECRET" must be at least 32 characters long, got ${sessionSecret.length}`);
  }

  const sandboxEnabled = parseFlag(env, "SANDBOX_ENABLED", problems);
  if (sandboxEnabled && isProduction && !parseFlag(env, "SANDBOX_ALLOW_IN_PRODUCTION", problems)) {
    problems.push(`"SANDBOX_ENABLED" is true in a production deployment: the sandbox issues tokens to anyone, so also set SANDBOX_ALLOW_IN_PRODUCTION=true if that is really intended`);
  }

  const authServer = parseAuthServer(env, baseUrl, sandboxEnabled, problems);
  const trustedIssuers = parseTrustedIssuers(env, problems);
  const sandboxFrameAncestors = parseOrigins(env, "SANDBOX_FRAME_ANCESTORS", problems);
  if (sandboxEnabled) trustedIssuers.push(sandboxIssuer(baseUrl, sandboxFrameAncestors));
  if (trustedIssuers.length === 0) {
    problems.push(`"TRUSTED_ISSUERS" is empty: list at least one FHIR server, or set SANDBOX_ENABLED=true`);
  }

  const logLevel = read(env, "LOG_LEVEL") ?? "info";
  if (!["debug", "info", "warn", "error"].includes(logLevel)) {
    problems.push(`"LOG_LEVEL" must be debug, info, warn or error, got "${logLevel}"`);
  }

  const sandboxDataDir = read(env, "SANDBOX_DATA_DIR");
  const config: AppConfig = {
    baseUrl,
    isProduction,
    sessionSecret: sessionSecret ?? "",
    launchUrl: `${baseUrl}/launch`,
    redirectUri: `${baseUrl}/callback`,
    authServer,
    trustedIssuers,
    scopes: read(env, "SMART_SCOPES") ?? DEFAULT_SCOPES,
    standaloneScopes: read(env, "SMART_STANDALONE_SCOPES") ?? DEFAULT_STANDALONE_SCOPES,
    // Eight seconds is long enough for a slow FHIR search and short enough
    // that a clinician gets an error page instead of an endless spinner.
    fhirTimeoutMs: parseNumber(env, "FHIR_TIMEOUT_MS", 8000, 100, 120_000, problems),
    // A launch cookie with Descope-sized tokens is about 3.2 KB, and Node.js
    // rejects request headers above 16 KB, so four launches leave room for the rest.
    maxLaunches: parseNumber(env, "MAX_LAUNCHES", 4, 1, 4, problems),
    // Thirty minutes idle matches common EHR screen-lock policies; eight hours is one clinical shift.
    sessionIdleSeconds: parseNumber(env, "SESSION_IDLE_SECONDS", 30 * 60, 5, 24 * 3600, problems),
    sessionMaxSeconds: parseNumber(env, "SESSION_MAX_SECONDS", 8 * 3600, 10, 7 * 24 * 3600, problems),
    loginWhenFramed: parseChoice(env, "LOGIN_WHEN_FRAMED", ["frame", "popup"] as const, "frame", problems),
    unsafeUnpartitionedCookies: parseFlag(env, "UNSAFE_UNPARTITIONED_COOKIES", problems),
    logLevel: logLevel as AppConfig["logLevel"],
    sandbox: {
      enabled: sandboxEnabled,
      fhirBase: `${baseUrl}/sandbox/fhir`,
      ehrIssuer: `${baseUrl}/sandbox/ehr`,
      dataDir: sandboxDataDir,
      seed: parseNumber(env, "SANDBOX_SEED", 42, 0, 2 ** 31 - 1, problems),
      patientCount: parseNumber(env, "SANDBOX_PATIENT_COUNT", 8, 1, 200, problems),
      accessTokenTtlSeconds: parseNumber(env, "SANDBOX_ACCESS_TOKEN_TTL", 3600, 1, 86_400, problems),
      frameAncestors: sandboxFrameAncestors,
      loginRefusesFraming: parseChoice(env, "SANDBOX_LOGIN_FRAMING", ["allow", "deny"] as const, "allow", problems) === "deny",
      extraRedirectUris: parseLoopbackUrls(env, "SANDBOX_EXTRA_REDIRECT_URIS", problems),
    },
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

let cached: AppConfig | undefined;

/** Return the configuration, parsing `process.env` on first use. */
export function getConfig(): AppConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
