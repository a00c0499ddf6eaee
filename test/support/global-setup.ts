import type { TestProject } from "vitest/node";
import { startApp, type RunningApp } from "./app-server";

let app: RunningApp | undefined;

/** Start one built app with the sandbox for all integration tests. */
export default async function setup(project: TestProject) {
  app = await startApp();
  project.provide("appUrl", app.url);
  return async () => {
    await app?.stop();
  };
}

