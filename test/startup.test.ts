import { describe, expect, it } from "vitest";
import { startApp } from "./support/app-server";

describe("server start-up", () => {
  it("stops on half-configured Descope mode", async () => {
    const start = startApp({ SANDBOX_ENABLED: "false", DESCOPE_PROJECT_ID: "P2abc", DESCOPE_CLIENT_ID: "" });
    const error = await start.then(
      async (app) => {
        await app.stop();
        return undefined;
      },
      (caught: unknown) => caught as Error,
    );
    expect(error?.message).toContain("next start exited with 1");
    expect(error?.message).toContain('"DESCOPE_CLIENT_ID" is missing');
    expect(error?.message).toContain('"TRUSTED_ISSUERS" is empty');
  });
});
