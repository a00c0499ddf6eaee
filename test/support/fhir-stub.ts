import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";

/**
 * A small FHIR R4 server for tests. It serves one patient's resources from a
 * fixture Bundle. It accepts only bearer tokens that the given issuer signed
 * for this server (`aud` contains its base URL), checked with jose against
 * the issuer's JWKS.
 *
 * Supported reads: `Patient/{id}`, `{Type}/{id}`, `Patient?_id=`, and
 * `{Type}?patient={id}` or `{Type}?subject=Patient/{id}` (with `_count`).
 * Other parameters such as `_sort` are ignored.
 */
export interface FhirStub {
  /** FHIR base URL, `http://127.0.0.1:{port}/fhir`; the `iss` of a launch. */
  base: string;
  patientId: string;
  /** Every request, with the claims of its verified access token. */
  requests: Array<{ method: string; path: string; status: number; claims?: JWTPayload }>;
  stop: () => Promise<void>;
}

interface FhirResource {
  resourceType: string;
  id?: string;
  subject?: { reference?: string };
  patient?: { reference?: string };
  [key: string]: unknown;
}

interface Bundle {
  resourceType: "Bundle";
  entry?: Array<{ resource?: FhirResource }>;
}

function operationOutcome(code: string, diagnostics: string) {
  return { resourceType: "OperationOutcome", issue: [{ severity: "error", code, diagnostics }] };
}

function refersTo(resource: FhirResource, patientId: string): boolean {
  const references = [resource.subject?.reference, resource.patient?.reference];
  return references.some((reference) => reference === `Patient/${patientId}` || reference === `urn:uuid:${patientId}`);
}

/** Load the resources of a FHIR Bundle file; the Bundle must contain exactly one Patient. */
async function loadFixture(file: string): Promise<{ patient: FhirResource; resources: FhirResource[] }> {
  const bundle = JSON.parse(await readFile(file, "utf8")) as Bundle;
  const resources = (bundle.entry ?? []).map((entry) => entry.resource).filter((resource): resource is FhirResource => Boolean(resource?.id));
  const patients = resources.filter((resource) => resource.resourceType === "Patient");
  if (patients.length !== 1) throw new Error(`Fixture ${path.basename(file)} must contain one Patient, found ${patients.length}`);
  return { patient: patients[0]!, resources };
}

/**
 * Start the stub on a free loopback port.
 *
 * @param options.fixtureFile a FHIR R4 Bundle with one Patient
 * @param options.issuer expected `iss` of access tokens
 * @param options.jwksUri where the issuer publishes its keys
 */
export async function startFhirStub(options: { fixtureFile: string; issuer: string; jwksUri: string }): Promise<FhirStub> {
  const { patient, resources } = await loadFixture(options.fixtureFile);
  const patientId = patient.id!;
  const keySet = createRemoteJWKSet(new URL(options.jwksUri));
  const requests: FhirStub["requests"] = [];
  let base = "";

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", base);
    const send = (status: number, body: unknown, claims?: JWTPayload) => {
      requests.push({ method: req.method ?? "", path: url.pathname + url.search, status, claims });
      res.writeHead(status, { "content-type": "application/fhir+json" }).end(JSON.stringify(body));
    };

    if (req.method !== "GET") return send(405, operationOutcome("not-supported", "Only GET is supported"));
    if (!url.pathname.startsWith("/fhir/")) return send(404, operationOutcome("not-found", "Not below the FHIR base"));

    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!token) return send(401, operationOutcome("login", "Missing bearer token"));
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, keySet, { issuer: options.issuer, audience: base, algorithms: ["RS256"] }));
    } catch (error) {
      return send(401, operationOutcome("login", `Access token rejected: ${error instanceof Error ? error.message : String(error)}`));
    }

    const [type, id, ...rest] = url.pathname.slice("/fhir/".length).split("/");
    if (!type || rest.length > 0) return send(400, operationOutcome("not-supported", "Only reads and type searches are supported"));

    if (id) {
      const found = resources.find((resource) => resource.resourceType === type && resource.id === id);
      return found ? send(200, found, claims) : send(404, operationOutcome("not-found", `${type}/${id} is not known`), claims);
    }

    const params = url.searchParams;
    const subjectParam = params.get("patient") ?? params.get("subject")?.replace(/^Patient\//, "");
    const idParam = params.get("_id");
    let matches = resources.filter((resource) => resource.resourceType === type);
    if (idParam) matches = matches.filter((resource) => resource.id === idParam);
    if (subjectParam) matches = matches.filter((resource) => refersTo(resource, subjectParam));
    const count = Number(params.get("_count") ?? "50");
    const page = matches.slice(0, Number.isInteger(count) && count > 0 ? count : 50);
    send(
      200,
      {
        resourceType: "Bundle",
        type: "searchset",
        total: matches.length,
        link: [{ relation: "self", url: url.href }],
        entry: page.map((resource) => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource, search: { mode: "match" } })),
      },
      claims,
    );
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}/fhir`;

  return {
    base,
    patientId,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
