import type { TestProject } from "vitest/node";
import { startApp, type RunningApp } from "./app-server";

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
  };
}

