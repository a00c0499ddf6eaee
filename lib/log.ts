/**
 * One structured logger for the whole app: a JSON line per event on stdout
 * (stderr for warnings and errors), with an event code and ids.
 *
 * Values under keys that can carry credentials or decoded token claims are
 * replaced before writing, and so are strings shaped like bearer tokens, JWTs
 * or sealed cookies. A secret of another shape under another key still gets through.
 */
type Level = "debug" | "info" | "warn" | "error";

const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// `payload` is where jose's claim errors keep a token's decoded claims, which can name a patient.
const SECRET_KEYS = /^(access_?token|refresh_?token|id_?token|code|code_?verifier|client_?secret|secret|password|authorization|cookie|set-cookie|launch|state|nonce|token|payload)$/i;
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g;
const BEARER_PATTERN = /Bearer\s+[A-Za-z0-9._~+/=-]+/gi;
const SEALED_PATTERN = /Fe26\.2\*[^\s"';]+/g;

export const REDACTED = "[redacted]";

/** Replace credentials in `value`, recursing into arrays, objects and error causes. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return "[nested]";
  if (typeof value === "string") {
    return value.replace(JWT_PATTERN, REDACTED).replace(BEARER_PATTERN, `Bearer ${REDACTED}`).replace(SEALED_PATTERN, REDACTED);
  }
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redact(value.message, depth + 1),
      code: (value as { code?: unknown }).code,
      cause: value.cause === undefined ? undefined : redact(value.cause, depth + 1),
    };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value && typeof value === "object") {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      result[key] = SECRET_KEYS.test(key) ? REDACTED : redact(item, depth + 1);
    }
    return result;
  }
  return value;
}

function threshold(): number {
  const level = (process.env.LOG_LEVEL ?? "info") as Level;
  return LEVELS[level] ?? LEVELS.info;
}

function write(level: Level, event: string, fields: Record<string, unknown>): void {
  if (LEVELS[level] < threshold()) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...(redact(fields) as object) });
  if (level === "warn" || level === "error") console.error(line);
  else console.log(line);
}

export const log = {
  debug: (event: string, fields: Record<string, unknown> = {}) => write("debug", event, fields),
  info: (event: string, fields: Record<string, unknown> = {}) => write("info", event, fields),
  warn: (event: string, fields: Record<string, unknown> = {}) => write("warn", event, fields),
  error: (event: string, fields: Record<string, unknown> = {}) => write("error", event, fields),
};
