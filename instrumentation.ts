/**
 * Runs once when the Next.js server starts. It reads the configuration, so
 * that a missing or malformed variable stops the server with a message naming
 * it, instead of failing every request later. With the sandbox on, it also
 * generates the sandbox's RSA keys: generated on first use, they made the
 * first token request wait seconds of CPU, beyond FHIR_TIMEOUT_MS on a busy
 * machine, and that launch failed.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;

  const { ConfigError, getConfig } = await import("@/lib/config");
  try {
    const config = getConfig();
    console.log(JSON.stringify({ time: new Date().toISOString(), level: "info", event: "server.configured", baseUrl: config.baseUrl, authServer: config.authServer.mode, sandbox: config.sandbox.enabled }));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }

  if (getConfig().sandbox.enabled) {
    const { getSandboxSigningKey } = await import("@/lib/sandbox/keys");
    getSandboxSigningKey("authorization-server");
    getSandboxSigningKey("ehr");
  }
}
