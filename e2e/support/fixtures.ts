import { test as base, expect } from "@playwright/test";

/**
 * Return true for Chromium's console message about a CSP violation other than
 * frame-ancestors, which some tests provoke on purpose.
 */
function blockedByPolicy(text: string): boolean {
  return text.includes("Content Security Policy") && !text.includes("frame-ancestors");
}

/**
 * Tests get `ehrURL`: the app's origin under another site name (127.0.0.1 instead of localhost).
 * Every test also fails when the CSP blocked a script, style or form of the page or its frames.
 */
export const test = base.extend<{ ehrURL: string; blockedByCsp: void }>({
  ehrURL: ["http://127.0.0.1:3210", { option: true }],
  blockedByCsp: [
    async ({ page }, use) => {
      const blocked: string[] = [];
      page.on("console", (message) => {
        if (blockedByPolicy(message.text())) blocked.push(message.text());
      });

      await use();

      expect(blocked).toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
