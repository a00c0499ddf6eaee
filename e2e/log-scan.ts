import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { TEST_SESSION_SECRET } from "../test/support/app-server";
import { findLeaks, sandboxClientSecret } from "../test/support/fault-logs";
import { FAULT_CLIENT_SECRET } from "../test/support/fault-stack";
import { E2E_SESSION_SECRET } from "../playwright.config";

/**
 * Playwright global teardown: scan the output of every app server the
 * end-to-end tests ran (test-results/e2e-server-*.log) for credentials. It
 * looks for the session secrets, the sandbox client secret derived from them,
 * the stub client secret, and anything shaped like a JWT, a JWE, an iron seal
 * (a launch cookie value), a bearer header or a PKCE verifier. Any hit fails the run.
 */
export default function scanServerLogs(): void {
  const folder = path.resolve(__dirname, "../test-results");
  const files = readdirSync(folder).filter((name) => /^e2e-server-.+\.log$/.test(name));
  if (files.length === 0) throw new Error(`Log scan: no e2e-server-*.log in ${folder}; the web servers did not write their output`);

  const secrets = [E2E_SESSION_SECRET, TEST_SESSION_SECRET, sandboxClientSecret(E2E_SESSION_SECRET), sandboxClientSecret(TEST_SESSION_SECRET), FAULT_CLIENT_SECRET];
  const problems: string[] = [];
  let lines = 0;
  for (const file of files) {
    const text = readFileSync(path.join(folder, file), "utf8");
    lines += text.split("\n").length;
    for (const leak of findLeaks(text, secrets)) problems.push(`${file}: ${leak.what} in "${leak.context}"`);
  }

  if (problems.length > 0) throw new Error(`Log scan found credentials in the server output:\n${problems.join("\n")}`);
  console.log(`Log scan: ${files.length} server logs, ${lines} lines, no credentials found`);
}
