import type { TestProject } from "vitest/node";
import { startApp, TEST_SESSION_SECRET, type RunningApp } from "./app-server";
import { findLeaks, sandboxClientSecret } from "./fault-logs";

let app: RunningApp | undefined;

/** Start one built app with the sandbox for all integration tests. */
export default async function setup(project: TestProject) {
  // UNIT_ONLY=1 skips the server, for a quick run of tests that need none.
  if (process.env.UNIT_ONLY === "1") {
    project.provide("appUrl", "");
    return;
  }
  app = await startApp();
  project.provide("appUrl", app.url);
  return async () => {
    await app?.stop();
    // Fails the run when the shared server's output contains a credential.
    const leaks = findLeaks(app?.output() ?? "", [TEST_SESSION_SECRET, sandboxClientSecret(TEST_SESSION_SECRET)]);
    if (leaks.length > 0) throw new Error(`Credentials in the test server's output:\n${leaks.map((leak) => `${leak.what} in "${leak.context}"`).join("\n")}`);
  };
}

