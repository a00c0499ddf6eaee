import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FIXTURES_DIR, startApp, TEST_SESSION_SECRET, type RunningApp } from "./support/app-server";
import { Browser, type PageResult } from "./support/fault-browser";
import { expectLoggedOnce, expectProxyError } from "./support/fault-checks";
import { startFaultFhirServer, type FaultFhirServer, type FhirResource } from "./support/fault-fhir-server";
import { findLeaks, parseLogLines } from "./support/fault-logs";
import { startOpenIdProvider, type TestAccount, type TestOpenIdProvider } from "./support/oidc-provider";

/**
 * Faults of the FHIR server, over HTTP against the built app in Descope mode:
 * oidc-provider plays Descope (as in descope-launch.test.ts) and a
 * fault-injecting FHIR stub serves a fixture patient. The stub responds to one
 * request with 500, 401, 404 with an OperationOutcome, a body that is not
 * JSON, or not at all within FHIR_TIMEOUT_MS. Each fault must end in a clear
 * JSON error from the proxy (or a clear page), be logged once with the
 * request id and launch id, and leave the launch working for the next request.
 */
const PROJECT_ID = "P2FaultFhirTest00000000000001";
const CLIENT_ID = "UDJGYXVsdEZoaXJUZXN0OlRQQTE";
const CLIENT_SECRET = "client-secret-SEEDED-fault-fhir-5d1c";
const FIXTURE = "synthea-maria-luisa-razo.json";
const FHIR_TIMEOUT_MS = 1500;
const RUN_FULL = process.env.UNIT_ONLY !== "1";

/** Return the action of the only form on an oidc-provider interaction page. */
function formAction(page: PageResult): URL {
  const action = /<form[^>]*action="([^"]+)"/.exec(page.body)?.[1];
  if (!action) throw new Error(`No form on ${page.url.href}:\n${page.body.slice(0, 500)}`);
  return new URL(action.replace(/&amp;/g, "&"), page.url);
}

async function fixtureResources(): Promise<FhirResource[]> {
  const bundle = JSON.parse(await readFile(path.join(FIXTURES_DIR, FIXTURE), "utf8")) as { entry?: Array<{ resource?: FhirResource }> };
  return (bundle.entry ?? []).map((entry) => entry.resource).filter((resource): resource is FhirResource => Boolean(resource?.id));
}

describe.runIf(RUN_FULL)("FHIR server faults", () => {
  let provider: TestOpenIdProvider;
  let fhir: FaultFhirServer;
  let app: RunningApp;
  let patientId: string;
  let browser: Browser;
  let launchId: string;
  const clinician: TestAccount = { name: "Dr. Ana Ortega", fhirUser: "Practitioner/ortega-1" };

  beforeAll(async () => {
    provider = await startOpenIdProvider({ projectId: PROJECT_ID, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, accounts: { "dr-ortega": clinician } });
    const resources = await fixtureResources();
    patientId = resources.find((resource) => resource.resourceType === "Patient")!.id!;
    clinician.patient = patientId;
    fhir = await startFaultFhirServer({ issuer: provider.issuer, jwksUri: provider.jwksUri, resources });

    app = await startApp({
      SANDBOX_ENABLED: "false",
      SANDBOX_DATA_DIR: "",
      FHIR_TIMEOUT_MS: String(FHIR_TIMEOUT_MS),
      DESCOPE_PROJECT_ID: PROJECT_ID,
      DESCOPE_BASE_URL: provider.baseUrl,
      DESCOPE_CLIENT_ID: CLIENT_ID,
      DESCOPE_CLIENT_SECRET: CLIENT_SECRET,
      TRUSTED_ISSUERS: JSON.stringify([{ iss: fhir.base, name: "Fault EHR", launchContext: { type: "token-claims" }, frameAncestors: [] }]),
    });
    provider.register({ redirectUri: `${app.url}/callback`, fhirBase: fhir.base });

    browser = new Browser();
    const loginPage = await browser.get(`${app.url}/launch?iss=${encodeURIComponent(fhir.base)}&launch=fault-launch`);
    const consentPage = await browser.post(formAction(loginPage), { prompt: "login", login: "dr-ortega", password: "any" });
    const launchPage = await browser.post(formAction(consentPage), { prompt: "consent" });
    launchId = /^\/launches\/([A-Za-z0-9_-]+)$/.exec(launchPage.url.pathname)?.[1] ?? "";
    expect(launchId, `${browser.trace()}\n${provider.errors.join("\n")}\n${app.output().slice(-2000)}`).not.toBe("");
  });

  beforeEach(() => {
    fhir.clearFaults();
  });

  afterAll(async () => {
    await app?.stop();
    await fhir?.stop();
    await provider?.stop();
  });

  function proxied(resourcePath: string): Promise<PageResult> {
    return browser.get(`${app.url}/api/launches/${launchId}/fhir/${resourcePath}`);
  }

  async function expectNextReadPasses(): Promise<void> {
    const patient = await proxied(`Patient/${patientId}`);
    expect(patient.status, patient.body.slice(0, 300)).toBe(200);
    expect((JSON.parse(patient.body) as { id: string }).id).toBe(patientId);
  }

  it("reads the patient without faults", async () => {
    await expectNextReadPasses();
  });

  it("answers a 500 with a 502 error", async () => {
    fhir.inject({ kind: "status", status: 500 }, { path: /^Patient\// });
    const error = expectProxyError(await proxied(`Patient/${patientId}`), 502, "fhir_unavailable");
    const line = await expectLoggedOnce(app.output, error.requestId, { event: "fhir.failed", launchId, errorCode: "fhir_unavailable" });
    expect(line.level).toBe("error");
    await expectNextReadPasses();
  });

  it("answers a 500 on a search with a 502 error", async () => {
    fhir.inject({ kind: "status", status: 503 }, { path: /^Condition\?/ });
    const error = expectProxyError(await proxied(`Condition?patient=${patientId}`), 502, "fhir_unavailable");
    await expectLoggedOnce(app.output, error.requestId, { event: "fhir.failed", launchId, errorCode: "fhir_unavailable" });
    const search = await proxied(`Condition?patient=${patientId}`);
    expect(search.status).toBe(200);
  });

  it("answers a 401 without refresh token as ended access", async () => {
    fhir.inject({ kind: "status", status: 401 }, { path: /^Patient\// });
    const error = expectProxyError(await proxied(`Patient/${patientId}`), 401, "refresh_failed");
    await expectLoggedOnce(app.output, error.requestId, { event: "fhir.failed", launchId, errorCode: "refresh_failed" });
    await expectNextReadPasses();
  });

  // Regression: a 4xx from the FHIR server went back to the browser without
  // any log line, so a support request could not be matched to its cause.
  it("passes a 404 OperationOutcome through and logs it", async () => {
    const outcome = { resourceType: "OperationOutcome", issue: [{ severity: "error", code: "not-found", diagnostics: "Patient/unknown-1 is not known" }] };
    fhir.inject({ kind: "status", status: 404, body: outcome }, { path: /^Patient\// });
    const page = await proxied("Patient/unknown-1");
    expect(page.status).toBe(404);
    expect(JSON.parse(page.body)).toEqual(outcome);

    const lines = parseLogLines(app.output()).filter((line) => line.event === "fhir.upstream_status" && line.launchId === launchId && line.status === 404);
    expect(lines, JSON.stringify(lines)).toHaveLength(1);
    expect(lines[0]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    await expectLoggedOnce(app.output, lines[0]!.requestId!, { event: "fhir.upstream_status", launchId });
    await expectNextReadPasses();
  });

  it("answers a body that is not JSON with a 502 error", async () => {
    fhir.inject({ kind: "invalid-json" }, { path: /^Patient\// });
    const error = expectProxyError(await proxied(`Patient/${patientId}`), 502, "fhir_unavailable");
    await expectLoggedOnce(app.output, error.requestId, { event: "fhir.failed", launchId, errorCode: "fhir_unavailable" });
    await expectNextReadPasses();
  });

  it("gives up after FHIR_TIMEOUT_MS", async () => {
    fhir.inject({ kind: "hang" }, { path: /^Patient\// });
    const started = Date.now();
    const error = expectProxyError(await proxied(`Patient/${patientId}`), 502, "fhir_unavailable");
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(FHIR_TIMEOUT_MS - 100);
    expect(elapsed).toBeLessThan(FHIR_TIMEOUT_MS + 3000);
    const line = await expectLoggedOnce(app.output, error.requestId, { event: "fhir.failed", launchId, errorCode: "fhir_unavailable" });
    expect(line.detail).toContain(`${FHIR_TIMEOUT_MS} ms`);
    await expectNextReadPasses();
  });

  // Regression: the consent page showed "Unknown name" without any log line
  // when the FHIR server failed, and its other log lines had no request id.
  it("shows the consent page when the name lookup fails, and logs it", async () => {
    fhir.inject({ kind: "status", status: 500 }, { path: /^Patient\// });
    const page = await browser.get(`${app.url}/launches/${launchId}/consent`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('data-testid="context-patient">Unknown name');
    expect(page.body).toContain(`(Patient/${patientId})`);

    const lines = parseLogLines(app.output()).filter((line) => line.event === "fhir.name_lookup_failed" && line.reference === `Patient/${patientId}`);
    expect(lines, JSON.stringify(lines)).toHaveLength(1);
    expect(lines[0]!.launchId).toBe(launchId);
    expect(lines[0]!.status).toBe(500);
    expect(lines[0]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    await expectNextReadPasses();
  });

  it("logs a failed server-side read of the patient page with its ids", async () => {
    fhir.inject({ kind: "status", status: 500 }, { path: /^Patient\// });
    const page = await browser.get(`${app.url}/launches/${launchId}`);
    expect(page.status).toBe(200);

    const lines = parseLogLines(app.output()).filter((line) => line.event === "fhir.server_read_skipped" && line.launchId === launchId && line.status === 500);
    expect(lines, JSON.stringify(lines)).toHaveLength(1);
    expect(lines[0]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    await expectNextReadPasses();
  });

  it("leaks no code, verifier or token into the server output", () => {
    const exchanged = provider.tokenRequests.flatMap((request) => [request.params.code ?? "", request.params.code_verifier ?? ""]);
    expect(exchanged.filter(Boolean).length).toBeGreaterThan(0);
    expect(findLeaks(app.output(), [TEST_SESSION_SECRET, CLIENT_SECRET, ...exchanged])).toEqual([]);
  });
});
