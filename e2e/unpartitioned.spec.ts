import { test, expect } from "./support/fixtures";
import { allowAll, openFromEhr, signIn } from "./support/flows";

test("unpartitioned cookies fail with a clear page", async ({ page, ehrURL }) => {
  const frame = await openFromEhr(page, /Open app for .*Claudie Walsh/, ehrURL);
  await signIn(frame);
  await allowAll(frame);

  await expect(frame.getByRole("heading", { name: "The browser blocked the app's cookie" })).toBeVisible();
  await expect(frame.getByText("Open the app in a new window")).toBeVisible();
});
