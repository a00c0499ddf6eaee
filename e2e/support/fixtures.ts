import { test as base } from "@playwright/test";

/** Tests get `ehrURL`: the app's origin under another site name (127.0.0.1 instead of localhost). */
export const test = base.extend<{ ehrURL: string }>({
  ehrURL: ["http://127.0.0.1:3210", { option: true }],
});

export { expect } from "@playwright/test";
