// Writes .env.local for a first local run: a random SESSION_SECRET and the
// sandbox switched on. An existing .env.local is left as it is.
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";

const file = path.resolve(import.meta.dirname, "..", ".env.local");

if (existsSync(file)) {
  console.log(".env.local exists; leaving it unchanged.");
} else {
  const secret = randomBytes(32).toString("base64url");
  const lines = [
    "# Written by scripts/prepare-env.mjs for local runs. Never commit this file.",
    `SESSION_SECRET=${secret}`,
    "SANDBOX_ENABLED=true",
    "",
  ];
  writeFileSync(file, lines.join("\n"), { mode: 0o600 });
  console.log("Wrote .env.local with a new SESSION_SECRET and SANDBOX_ENABLED=true.");
}
