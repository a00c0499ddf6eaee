import { startApp, TEST_SESSION_SECRET, type RunningApp } from "./app-server";
import type { Browser, PageResult } from "./fault-browser";
import { startFaultAuthServer, type FaultAccount, type FaultAuthServer } from "./fault-auth-server";
import { startFaultFhirServer, type FaultFhirServer, type FhirResource } from "./fault-fhir-server";
import { sandboxClientSecret } from "./fault-logs";

/**
 * The built app in Descope mode against the fault-injecting authorization
 * server and FHIR stub, all on loopback, with the sandbox off. The FHIR stub
 * is the only trusted issuer and passes its launch context in the token
 * response (`token-claims`), so a launch is `/launch?iss={fhir.base}&launch=…`.
 */
export const FAULT_PROJECT_ID = "P2FaultStack0000000000000001";
export const FAULT_CLIENT_ID = "UDJGYXVsdFN0YWNrOlRQQTE";
export const FAULT_CLIENT_SECRET = "fault-client-secret-SEEDED-3b9d1e";
export const FAULT_PATIENT_ID = "fault-patient-1";

export const DEFAULT_ACCOUNT: FaultAccount = { sub: "clinician-1", name: "Dr. Grace Hopper", fhirUser: "Practitioner/clinician-1", patient: FAULT_PATIENT_ID };

export function defaultResources(patientName = { given: ["Ada"], family: "Lovelace" }): FhirResource[] {
  return [
    { resourceType: "Patient", id: FAULT_PATIENT_ID, name: [{ use: "official", ...patientName }], birthDate: "1980-12-10", gender: "female" },
    { resourceType: "Patient", id: "fault-patient-2", name: [{ use: "official", given: ["Alan"], family: "Turing" }], birthDate: "1970-06-23", gender: "male" },
    { resourceType: "Practitioner", id: "clinician-1", name: [{ given: ["Grace"], family: "Hopper", prefix: ["Dr."] }] },
    { resourceType: "Condition", id: "condition-1", subject: { reference: `Patient/${FAULT_PATIENT_ID}` }, code: { text: "Essential hypertension" }, clinicalStatus: { text: "active" } },
    { resourceType: "Observation", id: "observation-1", subject: { reference: `Patient/${FAULT_PATIENT_ID}` }, code: { text: "Body weight" }, valueQuantity: { value: 61, unit: "kg" }, effectiveDateTime: "2024-01-05" },
  ];
}

export interface FaultStack {
  as: FaultAuthServer;
  fhir: FaultFhirServer;
  app: RunningApp;
  /** Every secret and credential of the stack, for log scans. */
  secrets(): string[];
  /** Run an EHR launch in `browser` to its last page; the launch id is undefined when it failed. */
  ehrLaunch(browser: Browser): Promise<{ page: PageResult; launchId?: string }>;
  /** Run a standalone launch in `browser` to its last page. */
  standaloneLaunch(browser: Browser): Promise<{ page: PageResult; launchId?: string }>;
  stop(): Promise<void>;
}

let launchCounter = 0;

function launchIdOf(page: PageResult): string | undefined {
  return /^\/launches\/([A-Za-z0-9_-]+)/.exec(page.url.pathname)?.[1];
}

export async function startFaultStack(options: { appEnv?: Record<string, string>; account?: FaultAccount; resources?: FhirResource[] } = {}): Promise<FaultStack> {
  const as = await startFaultAuthServer({
    projectId: FAULT_PROJECT_ID,
    clientId: FAULT_CLIENT_ID,
    clientSecret: FAULT_CLIENT_SECRET,
    account: options.account ?? { ...DEFAULT_ACCOUNT },
  });
  const fhir = await startFaultFhirServer({ issuer: as.issuer, jwksUri: as.jwksUri, resources: options.resources ?? defaultResources() });
  const app = await startApp({
    SANDBOX_ENABLED: "false",
    SANDBOX_DATA_DIR: "",
    DESCOPE_PROJECT_ID: FAULT_PROJECT_ID,
    DESCOPE_BASE_URL: as.baseUrl,
    DESCOPE_CLIENT_ID: FAULT_CLIENT_ID,
    DESCOPE_CLIENT_SECRET: FAULT_CLIENT_SECRET,
    TRUSTED_ISSUERS: JSON.stringify([{ iss: fhir.base, name: "Fault EHR", launchContext: { type: "token-claims" }, frameAncestors: [] }]),
    ...options.appEnv,
  });
  as.register(`${app.url}/callback`, fhir.base);

  return {
    as,
    fhir,
    app,
    secrets: () => [TEST_SESSION_SECRET, sandboxClientSecret(TEST_SESSION_SECRET), FAULT_CLIENT_SECRET, ...as.issued],
    ehrLaunch: async (browser) => {
      launchCounter += 1;
      const page = await browser.get(`${app.url}/launch?iss=${encodeURIComponent(fhir.base)}&launch=opaque-launch-${launchCounter}`);
      return { page, launchId: launchIdOf(page) };
    },
    standaloneLaunch: async (browser) => {
      const page = await browser.get(`${app.url}/standalone?iss=${encodeURIComponent(fhir.base)}`);
      return { page, launchId: launchIdOf(page) };
    },
    stop: async () => {
      await app.stop();
      await fhir.stop();
      await as.stop();
    },
  };
}
