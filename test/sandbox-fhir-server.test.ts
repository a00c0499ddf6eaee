import { randomUUID } from "node:crypto";
import type { Bundle, CapabilityStatement, Observation, OperationOutcome, Patient, Practitioner } from "@medplum/fhirtypes";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SandboxAccessTokenClaims } from "@/lib/sandbox/contracts";
import { startApp, TEST_SESSION_SECRET, type RunningApp } from "./support/app-server";

/**
 * The sandbox FHIR server over real HTTP, against the built app that the
 * global setup starts with the shared fixtures. Access tokens are signed here
 * with the sandbox authorization server's key, as that server would sign them.
 */

const TREY_BERGE = "f46d1649-8a02-4de8-8cff-f76fae267d3a";
const PETER_CHALMERS = "example";

const appUrl = inject("appUrl");
const fhirBase = `${appUrl}/sandbox/fhir`;

let issuer: string;
let descopeBaseUrl: string;
let signingKey: Awaited<ReturnType<typeof loadSigningKeys>>["authorizationServer"];
let ehrKey: Awaited<ReturnType<typeof loadSigningKeys>>["ehr"];

async function loadSigningKeys() {
  process.env.SESSION_SECRET = TEST_SESSION_SECRET;
  process.env.APP_BASE_URL = appUrl;
  process.env.SANDBOX_ENABLED = "true";
  const { getConfig } = await import("@/lib/config");
  const { getSandboxSigningKey } = await import("@/lib/sandbox/keys");
  return { config: getConfig(), authorizationServer: getSandboxSigningKey("authorization-server"), ehr: getSandboxSigningKey("ehr") };
}

interface TokenOptions {
  claims?: Partial<SandboxAccessTokenClaims> & Record<string, unknown>;
  expiresInSeconds?: number;
  key?: typeof signingKey;
  /** Origin of the app the token is for; the global test app by default. */
  origin?: string;
}

async function mintToken(scope: string, options: TokenOptions = {}): Promise<string> {
  const key = options.key ?? signingKey;
  const origin = options.origin ?? appUrl;
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: origin === appUrl ? issuer : `${origin}/sandbox/descope/v1/apps/Psandbox`,
    sub: "sandbox-user",
    aud: ["Psandbox", "sandbox-smart-app", `${origin}/sandbox/fhir`],
    azp: "sandbox-smart-app",
    scope,
    jti: randomUUID(),
    iat: now - 10,
    exp: now + (options.expiresInSeconds ?? 300),
    fhirUser: "Practitioner/sandbox-practitioner",
    ...options.claims,
  };
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "at+jwt" }).sign(key.privateKey);
}

async function fhirGet(path: string, token?: string): Promise<Response> {
  const url = path.startsWith("http") ? path : `${fhirBase}/${path}`;
  return fetch(url, { headers: token ? { authorization: `Bearer ${token}`, accept: "application/fhir+json" } : {} });
}

async function fhirJson<T>(path: string, token?: string, expectedStatus = 200): Promise<T> {
  const response = await fhirGet(path, token);
  const body = await response.text();
  expect(response.status, body.slice(0, 500)).toBe(expectedStatus);
  return JSON.parse(body) as T;
}

function linkOf(bundle: Bundle, relation: string): string | undefined {
  return bundle.link?.find((link) => link.relation === relation)?.url;
}

beforeAll(async () => {
  const keys = await loadSigningKeys();
  issuer = keys.config.authServer.issuer;
  descopeBaseUrl = keys.config.authServer.descopeBaseUrl;
  signingKey = keys.authorizationServer;
  ehrKey = keys.ehr;
}, 60_000);

describe("discovery", () => {
  it("serves the CapabilityStatement without a token", async () => {
    const response = await fhirGet("metadata");
    const statement = (await response.json()) as CapabilityStatement;

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/fhir+json");
    expect(statement.resourceType).toBe("CapabilityStatement");
    expect(statement.fhirVersion).toBe("4.0.1");
    expect(statement.kind).toBe("instance");
  });

  it("answers HEAD on metadata", async () => {
    const response = await fetch(`${fhirBase}/metadata`, { method: "HEAD" });

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/fhir+json");
  });

  it("answers a CORS preflight", async () => {
    const response = await fetch(`${fhirBase}/Patient`, { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-headers": "authorization" } });

    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-headers")).toContain("Authorization");
  });

  it("names the SMART endpoints in the CapabilityStatement", async () => {
    const statement = await fhirJson<CapabilityStatement>("metadata");
    const security = statement.rest?.[0]?.security;
    const oauth = security?.extension?.find((extension) => extension.url === "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
    const uris = Object.fromEntries((oauth?.extension ?? []).map((extension) => [extension.url, extension.valueUri]));

    expect(security?.service?.[0]?.coding?.[0]).toMatchObject({ system: "http://terminology.hl7.org/CodeSystem/restful-security-service", code: "SMART-on-FHIR" });
    expect(uris).toEqual({
      authorize: `${descopeBaseUrl}/oauth2/v1/apps/authorize`,
      token: `${descopeBaseUrl}/oauth2/v1/apps/token`,
      revoke: `${descopeBaseUrl}/oauth2/v1/apps/revoke`,
    });
  });

  it("serves the SMART configuration without a token", async () => {
    const response = await fhirGet(".well-known/smart-configuration");
    const configuration = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(configuration).toMatchObject({
      issuer,
      authorization_endpoint: `${appUrl}/sandbox/descope/oauth2/v1/apps/authorize`,
      token_endpoint: `${appUrl}/sandbox/descope/oauth2/v1/apps/token`,
      revocation_endpoint: `${appUrl}/sandbox/descope/oauth2/v1/apps/revoke`,
      userinfo_endpoint: `${appUrl}/sandbox/descope/oauth2/v1/apps/userinfo`,
      jwks_uri: `${appUrl}/sandbox/descope/Psandbox/.well-known/jwks.json`,
      code_challenge_methods_supported: ["S256"],
      response_types_supported: ["code"],
      token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic", "none"],
    });
    expect(issuer).toBe(`${appUrl}/sandbox/descope/v1/apps/Psandbox`);
    expect(configuration.grant_types_supported).toEqual(expect.arrayContaining(["authorization_code", "refresh_token"]));
    expect(configuration.scopes_supported).toEqual(expect.arrayContaining(["openid", "fhirUser", "launch", "launch/patient", "offline_access"]));
    expect(configuration.capabilities).toEqual(
      expect.arrayContaining(["launch-ehr", "launch-standalone", "client-public", "client-confidential-symmetric", "context-ehr-patient", "context-ehr-encounter"]),
    );
    expect(configuration.capabilities).toEqual(
      expect.arrayContaining(["context-standalone-patient", "context-banner", "context-style", "sso-openid-connect", "permission-offline"]),
    );
    expect(configuration.capabilities).toEqual(expect.arrayContaining(["permission-patient", "permission-user", "permission-v1", "permission-v2"]));
  });

  it("has no double slash in any URL", async () => {
    const text = await (await fhirGet(".well-known/smart-configuration")).text();
    const urls = [...text.matchAll(/"(https?:\/\/[^"]+)"/g)].map((match) => match[1] ?? "");

    expect(urls.length).toBeGreaterThan(5);
    expect(urls.filter((url) => url.slice(url.indexOf("//") + 2).includes("//"))).toEqual([]);
  });
});

describe("token checks", () => {
  async function expectInvalidToken(token: string | undefined, description: RegExp) {
    const response = await fhirGet(`Patient/${TREY_BERGE}`, token);
    const outcome = (await response.json()) as OperationOutcome;
    const challenge = response.headers.get("www-authenticate") ?? "";

    expect(response.status).toBe(401);
    expect(challenge).toMatch(/^Bearer error="invalid_token", error_description="[^"]+"$/);
    expect(challenge).toMatch(description);
    expect(outcome.resourceType).toBe("OperationOutcome");
    expect(outcome.issue?.[0]?.code).toBe("login");
  }

  it("rejects a request without a token", async () => {
    await expectInvalidToken(undefined, /no access token/);
  });

  it("rejects a token for another audience", async () => {
    const token = await mintToken("user/*.rs", { claims: { aud: ["Psandbox", "sandbox-smart-app", "https://fhir.example/r4"] } });

    await expectInvalidToken(token, /'aud'/);
  });

  it("rejects an expired token", async () => {
    const token = await mintToken("user/*.rs", { expiresInSeconds: -60 });

    await expectInvalidToken(token, /expired/);
  });

  it("answers sim_error fhir_token_expired as expired", async () => {
    const token = await mintToken("user/*.rs", { claims: { sim_error: "fhir_token_expired" } });

    await expectInvalidToken(token, /expired/);
  });

  it("rejects a token signed by another key", async () => {
    const token = await mintToken("user/*.rs", { key: ehrKey });

    await expectInvalidToken(token, /signature/);
  });

  it("rejects a token from another issuer", async () => {
    const token = await mintToken("user/*.rs", { claims: { iss: `${appUrl}/sandbox/ehr` } });

    await expectInvalidToken(token, /'iss'/);
  });

  it("rejects a malformed Authorization header", async () => {
    const response = await fetch(`${fhirBase}/Patient`, { headers: { authorization: "Basic dXNlcjpwYXNz" } });

    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("Bearer scheme");
  });

  it("accepts a single-string aud", async () => {
    const token = await mintToken("user/*.rs", { claims: { aud: fhirBase as never } });

    await fhirJson<Patient>(`Patient/${TREY_BERGE}`, token);
  });
});

describe("read and search", () => {
  let userToken: string;

  beforeAll(async () => {
    userToken = await mintToken("openid fhirUser user/*.rs");
  });

  it("reads a patient", async () => {
    const patient = await fhirJson<Patient>(`Patient/${TREY_BERGE}`, userToken);

    expect(patient.name?.[0]?.family).toBe("Berge");
  });

  it("reads the sandbox practitioner", async () => {
    const practitioner = await fhirJson<Practitioner>("Practitioner/sandbox-practitioner", userToken);

    expect(practitioner.name?.[0]?.text).toBe("Dr. Alex Rivera");
  });

  it("returns 404 for an unknown id", async () => {
    const outcome = await fhirJson<OperationOutcome>("Patient/no-such-patient", userToken, 404);

    expect(outcome.issue?.[0]?.code).toBe("not-found");
  });

  it("returns 404 for an unknown type", async () => {
    await fhirJson<OperationOutcome>("Spaceship/1", userToken, 404);
  });

  it.each([
    ["an unknown parameter", "Patient?favourite-colour=blue"],
    ["a bad _count", "Observation?_count=lots"],
    ["a bad date", "Observation?date=yesterday"],
    ["an unsupported modifier", "Observation?code:text=glucose"],
    ["an unsortable _sort", "Observation?_sort=colour"],
    ["_include", "MedicationRequest?_include=MedicationRequest:medication"],
  ])("returns 400 for %s", async (_case, path) => {
    const outcome = await fhirJson<OperationOutcome>(path, userToken, 400);

    expect(outcome.resourceType).toBe("OperationOutcome");
  });

  it.each(["POST", "PUT", "PATCH", "DELETE"])("returns 405 for %s", async (method) => {
    const response = await fetch(`${fhirBase}/Patient/${TREY_BERGE}`, {
      method,
      headers: { authorization: `Bearer ${userToken}`, "content-type": "application/fhir+json" },
      body: method === "DELETE" ? undefined : JSON.stringify({ resourceType: "Patient", id: TREY_BERGE }),
    });

    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toContain("GET");
    expect(((await response.json()) as OperationOutcome).resourceType).toBe("OperationOutcome");
  });

  it("returns a searchset with absolute fullUrls", async () => {
    const response = await fhirGet(`Patient?_id=${TREY_BERGE}`, userToken);
    const bundle = (await response.json()) as Bundle<Patient>;

    expect(response.headers.get("content-type")).toContain("application/fhir+json");
    expect(bundle).toMatchObject({ resourceType: "Bundle", type: "searchset", total: 1 });
    expect(bundle.entry?.[0]?.fullUrl).toBe(`${fhirBase}/Patient/${TREY_BERGE}`);
    expect(bundle.entry?.[0]?.search?.mode).toBe("match");
    expect(linkOf(bundle, "self")).toMatch(new RegExp(`^${fhirBase}/Patient\\?`));
  });

  it.each([
    ["name without accents", "name=raul", ["Gómez"]],
    ["name in upper case", "name=ORDONEZ", ["Ordóñez"]],
    ["family with an apostrophe", "family=O'Keefe", ["O'Keefe"]],
    ["birthdate", "birthdate=1913-01-13", ["Berge"]],
    ["gender and birthdate", "gender=male&birthdate=1957-06-29", ["Gómez", "Ordóñez"]],
  ] as const)("finds patients by %s", async (_case, query, families) => {
    const bundle = await fhirJson<Bundle<Patient>>(`Patient?${query}`, userToken);
    const found = (bundle.entry ?? []).map((entry) => entry.resource?.name?.find((name) => name.use === "official")?.family ?? entry.resource?.name?.[0]?.family);

    expect(found.sort()).toEqual([...families].sort());
  });

  it("finds a patient by MRN identifier", async () => {
    const patient = await fhirJson<Patient>(`Patient/${TREY_BERGE}`, userToken);
    const identifier = patient.identifier?.find((candidate) => candidate.type?.coding?.[0]?.code === "MR");
    const bundle = await fhirJson<Bundle<Patient>>(`Patient?identifier=${encodeURIComponent(`${identifier?.system}|${identifier?.value}`)}`, userToken);

    expect(identifier?.value).toBeTruthy();
    expect(bundle.entry?.map((entry) => entry.resource?.id)).toEqual([TREY_BERGE]);
  });

  it("pages through 116 observations by absolute next links", async () => {
    let url: string | undefined = `Observation?patient=${TREY_BERGE}&_count=10`;
    const ids: string[] = [];
    let pages = 0;

    while (url !== undefined && pages < 20) {
      const bundle: Bundle<Observation> = await fhirJson<Bundle<Observation>>(url, userToken);
      expect(bundle.total).toBe(116);
      ids.push(...(bundle.entry ?? []).map((entry) => entry.resource?.id ?? ""));
      if (pages === 1) expect(linkOf(bundle, "previous")).toMatch(/_offset=0/);
      url = linkOf(bundle, "next");
      if (url !== undefined) expect(url.startsWith(`${fhirBase}/Observation?`)).toBe(true);
      pages++;
    }

    expect(pages).toBe(12);
    expect(ids).toHaveLength(116);
    expect(new Set(ids).size).toBe(116);
  });

  it("sorts observations by -date", async () => {
    const bundle = await fhirJson<Bundle<Observation>>(`Observation?patient=Patient/${TREY_BERGE}&_sort=-date&_count=50`, userToken);
    const dates = (bundle.entry ?? []).map((entry) => entry.resource?.effectiveDateTime ?? "");

    expect(dates).toHaveLength(50);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it("filters observations by category, code and date", async () => {
    const labs = await fhirJson<Bundle<Observation>>(`Observation?patient=${TREY_BERGE}&category=laboratory&_count=200`, userToken);
    const weights = await fhirJson<Bundle<Observation>>(`Observation?patient=${TREY_BERGE}&code=http://loinc.org|29463-7`, userToken);
    const recent = await fhirJson<Bundle<Observation>>(`Observation?patient=${TREY_BERGE}&date=ge2020-01-01&_count=200`, userToken);

    expect(labs.total).toBeGreaterThan(0);
    expect(labs.entry?.every((entry) => entry.resource?.category?.some((category) => category.coding?.some((coding) => coding.code === "laboratory")))).toBe(true);
    expect(weights.total).toBeGreaterThan(0);
    expect(weights.entry?.every((entry) => entry.resource?.code?.coding?.[0]?.code === "29463-7")).toBe(true);
    expect(recent.entry?.every((entry) => (entry.resource?.effectiveDateTime ?? "") >= "2020-01-01")).toBe(true);
    expect(recent.total).toBeLessThan(116);
  });

  it.each(["Condition", "MedicationRequest", "Encounter", "Immunization", "AllergyIntolerance"])("searches %s by patient", async (type) => {
    const patient = type === "AllergyIntolerance" ? PETER_CHALMERS : TREY_BERGE;
    const bundle = await fhirJson<Bundle>(`${type}?patient=${patient}`, userToken);

    expect(bundle.total, type).toBeGreaterThan(0);
    expect(bundle.entry?.every((entry) => entry.resource?.resourceType === type)).toBe(true);
  });

  it("answers _summary=count with only the total", async () => {
    const bundle = await fhirJson<Bundle>(`Observation?patient=${TREY_BERGE}&_summary=count`, userToken);

    expect(bundle.total).toBe(116);
    expect(bundle.entry).toBeUndefined();
  });
});

describe("patient scopes", () => {
  let treyToken: string;

  beforeAll(async () => {
    treyToken = await mintToken("launch openid fhirUser patient/*.rs", { claims: { patient: TREY_BERGE } });
  });

  async function expectForbidden(path: string, token: string) {
    const response = await fhirGet(path, token);
    const outcome = (await response.json()) as OperationOutcome;

    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer error="insufficient_scope"/);
    expect(outcome.issue?.[0]?.code).toBe("forbidden");
  }

  it("reads the patient in context", async () => {
    const patient = await fhirJson<Patient>(`Patient/${TREY_BERGE}`, treyToken);

    expect(patient.id).toBe(TREY_BERGE);
  });

  it("denies reading another patient", async () => {
    await expectForbidden(`Patient/${PETER_CHALMERS}`, treyToken);
  });

  it("denies reading another patient's observation", async () => {
    const userToken = await mintToken("user/*.rs");
    const bundle = await fhirJson<Bundle<Observation>>(`Observation?patient=${PETER_CHALMERS}&_count=1`, userToken);
    const id = bundle.entry?.[0]?.resource?.id;

    await expectForbidden(`Observation/${id}`, treyToken);
  });

  it("denies searching another patient's observations", async () => {
    await expectForbidden(`Observation?patient=${PETER_CHALMERS}`, treyToken);
    await expectForbidden(`Observation?subject=Patient/${PETER_CHALMERS}`, treyToken);
  });

  it("confines a Patient search to the patient in context", async () => {
    const bundle = await fhirJson<Bundle<Patient>>("Patient?gender=male", treyToken);

    expect(bundle.entry?.map((entry) => entry.resource?.id)).toEqual([TREY_BERGE]);
  });

  it("confines a search without patient to the patient in context", async () => {
    const bundle = await fhirJson<Bundle<Observation>>("Observation?_count=1", treyToken);

    expect(bundle.total).toBe(116);
  });

  it("reads the fhirUser practitioner with only Observation scopes", async () => {
    const token = await mintToken("patient/Observation.read", { claims: { patient: TREY_BERGE } });

    await fhirJson<Practitioner>("Practitioner/sandbox-practitioner", token);
    await expectForbidden(`Patient/${TREY_BERGE}`, token);
  });

  it("honours a v1 patient/Observation.read scope", async () => {
    const token = await mintToken("patient/Observation.read", { claims: { patient: TREY_BERGE } });
    const bundle = await fhirJson<Bundle<Observation>>(`Observation?patient=${TREY_BERGE}&_count=5`, token);

    expect(bundle.total).toBe(116);
    await expectForbidden(`Condition?patient=${TREY_BERGE}`, token);
  });

  it("honours a v2 read-only scope", async () => {
    const token = await mintToken("patient/Observation.r", { claims: { patient: TREY_BERGE } });
    const userToken = await mintToken("user/*.rs");
    const sample = await fhirJson<Bundle<Observation>>(`Observation?patient=${TREY_BERGE}&_count=1`, userToken);

    await fhirJson<Observation>(`Observation/${sample.entry?.[0]?.resource?.id}`, token);
    await expectForbidden(`Observation?patient=${TREY_BERGE}`, token);
  });

  it("honours a v2 scope with a category", async () => {
    const token = await mintToken("patient/Observation.rs?category=laboratory", { claims: { patient: TREY_BERGE } });
    const labs = await fhirJson<Bundle<Observation>>(`Observation?patient=${TREY_BERGE}&category=laboratory&_count=200`, token);

    expect(labs.total).toBeGreaterThan(0);
    await expectForbidden(`Observation?patient=${TREY_BERGE}`, token);
    await expectForbidden(`Observation?patient=${TREY_BERGE}&category=vital-signs`, token);
  });

  it("denies patient scopes without a patient claim", async () => {
    const token = await mintToken("patient/*.rs");

    await expectForbidden(`Observation?patient=${TREY_BERGE}`, token);
  });
});

describe("generated data", () => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startApp({ SANDBOX_DATA_DIR: "", SANDBOX_SEED: "42", SANDBOX_PATIENT_COUNT: "8", LOG_LEVEL: "debug" });
  }, 90_000);

  afterAll(async () => {
    await app?.stop();
  });

  it("serves the generator's patients when no data folder is set", async () => {
    const token = await mintToken("user/*.rs", { origin: app.url });
    const response = await fetch(`${app.url}/sandbox/fhir/Patient?_count=100`, { headers: { authorization: `Bearer ${token}` } });
    const bundle = (await response.json()) as Bundle<Patient>;

    expect(response.status).toBe(200);
    expect(bundle.total).toBe(8);
    expect(bundle.entry?.[0]?.fullUrl?.startsWith(`${app.url}/sandbox/fhir/Patient/`)).toBe(true);
  });

  it("finds a generated patient without accents", async () => {
    const token = await mintToken("user/*.rs", { origin: app.url });
    const all = (await (await fetch(`${app.url}/sandbox/fhir/Patient`, { headers: { authorization: `Bearer ${token}` } })).json()) as Bundle<Patient>;
    const accented = all.entry?.map((entry) => entry.resource?.name?.[0]?.given?.[0] ?? "").find((given) => /[^\x00-\x7f]/.test(given)) ?? "";
    const folded = accented.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

    const response = await fetch(`${app.url}/sandbox/fhir/Patient?given=${encodeURIComponent(folded)}`, { headers: { authorization: `Bearer ${token}` } });
    const bundle = (await response.json()) as Bundle<Patient>;

    expect(accented).not.toBe("");
    expect(bundle.entry?.map((entry) => entry.resource?.name?.[0]?.given?.[0])).toContain(accented);
  });

  it("keeps tokens out of the log", async () => {
    const token = await mintToken("user/*.rs", { origin: app.url });
    await fetch(`${app.url}/sandbox/fhir/Observation?_count=1`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${app.url}/sandbox/fhir/Observation?_count=1`, { headers: { authorization: `Bearer ${token}x` } });

    expect(app.output()).toContain("sandbox.fhir.store_loaded");
    expect(app.output()).toContain("sandbox.fhir.token_rejected");
    expect(app.output()).not.toContain(token.split(".")[2]);
  });
});

describe("sandbox switched off", () => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startApp({
      SANDBOX_ENABLED: "false",
      DESCOPE_PROJECT_ID: "Ptest",
      DESCOPE_CLIENT_ID: "test-client",
      DESCOPE_CLIENT_SECRET: "test-client-secret",
      TRUSTED_ISSUERS: JSON.stringify([{ iss: "https://fhir.example/r4", name: "Example EHR", launchContext: { type: "token-claims" } }]),
    });
  }, 90_000);

  afterAll(async () => {
    await app?.stop();
  });

  it.each(["metadata", ".well-known/smart-configuration", "Patient"])("returns 404 for %s", async (path) => {
    const response = await fetch(`${app.url}/sandbox/fhir/${path}`);

    expect(response.status).toBe(404);
    expect(await response.text()).toBe("Not found");
  });

  // The middleware skips /sandbox/fhir, so the route handler hides it and sets the headers.
  it.each(["GET", "OPTIONS", "POST"])("hides the FHIR server from %s with security headers", async (method) => {
    const response = await fetch(`${app.url}/sandbox/fhir/Patient`, { method });

    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
