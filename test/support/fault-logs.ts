import { hkdfSync } from "node:crypto";

/**
 * Reading the app's server output in the security and fault suites: its
 * structured log lines (lib/log.ts writes one JSON object per line), and a
 * scan for credentials that must never appear there.
 */
export interface LogLine {
  time: string;
  level: "debug" | "info" | "warn" | "error";
  event: string;
  requestId?: string;
  launchId?: string;
  [field: string]: unknown;
}

/** Return the JSON log lines of `output`; other lines (Next.js banners) are skipped. */
export function parseLogLines(output: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const text of output.split("\n")) {
    if (!text.startsWith("{")) continue;
    try {
      const line = JSON.parse(text) as LogLine;
      if (typeof line.event === "string" && typeof line.level === "string") lines.push(line);
    } catch {
      // A partial line at the end of the buffer, or not ours.
    }
  }
  return lines;
}

/** Return the warn and error lines that carry `requestId`. */
export function problemLines(output: string, requestId: string): LogLine[] {
  return parseLogLines(output).filter((line) => line.requestId === requestId && (line.level === "warn" || line.level === "error"));
}

/**
 * Return the sandbox's client secret for `sessionSecret`, derived exactly as
 * `getSandboxClientSecret` in lib/sandbox/keys.ts derives it (HKDF-SHA-256,
 * salt "smart-descope-sandbox", info "sandbox:secret:client-secret").
 */
export function sandboxClientSecret(sessionSecret: string): string {
  return Buffer.from(hkdfSync("sha256", sessionSecret, "smart-descope-sandbox", "sandbox:secret:client-secret", 32)).toString("base64url");
}

/** Shapes of credentials: JWS and JWE compact serializations, iron seals, bearer headers and PKCE verifiers. */
const CREDENTIAL_SHAPES: Array<{ name: string; pattern: RegExp }> = [
  { name: "JWT or JWE", pattern: /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/ },
  { name: "iron seal (session cookie value)", pattern: /Fe26\.2\*/ },
  { name: "bearer token", pattern: /Bearer\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]{8,}/ },
  { name: "PKCE verifier", pattern: /code_?verifier\\?["']?\s*[:=]\s*\\?["']?(?!\[redacted\])[A-Za-z0-9._~-]{20,}/i },
  { name: "test secret", pattern: /SEEDED/ },
];

export interface Leak {
  what: string;
  /** Up to 60 characters around the match, with the match itself cut short. */
  context: string;
}

function excerpt(text: string, index: number, length: number): string {
  const start = Math.max(0, index - 30);
  return `${text.slice(start, index)}${text.slice(index, index + Math.min(length, 12))}…`.replace(/\s+/g, " ");
}

/**
 * Return every credential found in `text`: any of `secrets` (exact values,
 * such as session secrets, client secrets, codes and tokens a test saw), and
 * anything shaped like a credential.
 */
export function findLeaks(text: string, secrets: string[]): Leak[] {
  const leaks: Leak[] = [];
  for (const secret of new Set(secrets.filter((value) => value.length >= 8))) {
    const index = text.indexOf(secret);
    if (index >= 0) leaks.push({ what: `secret value ${secret.slice(0, 6)}…`, context: excerpt(text, index, secret.length) });
  }
  for (const { name, pattern } of CREDENTIAL_SHAPES) {
    const match = pattern.exec(text);
    if (match) leaks.push({ what: name, context: excerpt(text, match.index, match[0].length) });
  }
  return leaks;
}
