import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";

/**
 * A FHIR R4 stub for the security and fault suites. It serves the resources
 * it is given: reads, and type searches by `patient`, `subject` or `_id`. It
 * accepts only bearer tokens that the given issuer signed for its base. Each
 * injected fault applies to the next requests whose path matches, so a test
 * can break one request and let the next pass.
 */
export interface FhirResource {
  resourceType: string;
  id?: string;
  subject?: { reference?: string };
  patient?: { reference?: string };
  [key: string]: unknown;
}

export type FhirFault =
  /** Respond with `status` and `body` (an OperationOutcome when no body is given). */
  | { kind: "status"; status: number; body?: unknown }
  /** Respond 200 with a body that is not JSON. */
  | { kind: "invalid-json" }
  /** Do not respond until the bounded hang ends or the server stops. */
  | { kind: "hang" }
  /** Respond 302 to `location`. */
  | { kind: "redirect"; location: string }
  /** Respond to searches normally but add a `next` link with this URL. */
  | { kind: "next-link"; url: string };

export interface RecordedFhirRequest {
  method: string;
  path: string;
  status: number;
  authorized: boolean;
  claims?: JWTPayload;
}

export interface FaultFhirServer {
  /** FHIR base URL, `http://127.0.0.1:{port}/fhir`. */
  base: string;
  origin: string;
  resources: FhirResource[];
  requests: RecordedFhirRequest[];
  /** Apply `fault` to the next `times` requests whose path (with query) matches `path`. */
  inject(fault: FhirFault, options?: { path?: RegExp; times?: number }): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

/** Maximum time a hanging response stays open, so a forgotten fault cannot keep a test run alive. */
const MAX_HANG_MS = 20_000;

export function operationOutcome(code: string, diagnostics: string) {
  return { resourceType: "OperationOutcome", issue: [{ severity: "error", code, diagnostics }] };
}

function refersTo(resource: FhirResource, patientId: string): boolean {
  const references = [resource.subject?.reference, resource.patient?.reference];
  return references.some((reference) => reference === `Patient/${patientId}`);
}

/**
 * Start the stub on a free loopback port. Tokens are checked with jose
 * against `jwksUri` with a 30-second clock tolerance, the app's own leeway.
 */
export async function startFaultFhirServer(options: { issuer: string; jwksUri: string; resources: FhirResource[] }): Promise<FaultFhirServer> {
  // No cooldown: after a key rotation the stub must accept the new key at once.
  const keySet = createRemoteJWKSet(new URL(options.jwksUri), { cooldownDuration: 0 });
  const faults: Array<{ fault: FhirFault; path?: RegExp; remaining: number }> = [];
  const hanging = new Set<NodeJS.Timeout>();

  const stub: FaultFhirServer = {
    base: "",
    origin: "",
    resources: options.resources,
    requests: [],
    inject: (fault, { path, times = 1 } = {}) => void faults.push({ fault, path, remaining: times }),
    clearFaults: () => void faults.splice(0, faults.length),
    stop: async () => {
      for (const timer of hanging) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function takeFault(path: string): FhirFault | undefined {
    const index = faults.findIndex((entry) => !entry.path || entry.path.test(path));
    if (index < 0) return undefined;
    const entry = faults[index]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) faults.splice(index, 1);
    return entry.fault;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", stub.origin);
    const path = url.pathname + url.search;
    const record: RecordedFhirRequest = { method: req.method ?? "", path, status: 0, authorized: Boolean(req.headers.authorization) };
    stub.requests.push(record);
    const send = (status: number, body: unknown) => {
      record.status = status;
      res.writeHead(status, { "content-type": "application/fhir+json" }).end(JSON.stringify(body));
    };

    if (req.method !== "GET") return send(405, operationOutcome("not-supported", "Only GET is supported"));
    if (!url.pathname.startsWith("/fhir/")) return send(404, operationOutcome("not-found", "Not below the FHIR base"));

    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!token) return send(401, operationOutcome("login", "Missing bearer token"));
    try {
      ({ payload: record.claims } = await jwtVerify(token, keySet, { issuer: options.issuer, audience: stub.base, algorithms: ["RS256"], clockTolerance: 30 }));
    } catch (error) {
      return send(401, operationOutcome("login", `Access token rejected: ${error instanceof Error ? error.message : String(error)}`));
    }

    const fault = takeFault(path.slice("/fhir/".length));
    if (fault?.kind === "status") return send(fault.status, fault.body ?? operationOutcome(fault.status === 404 ? "not-found" : "exception", `Injected status ${fault.status}`));
    if (fault?.kind === "invalid-json") {
      record.status = 200;
      res.writeHead(200, { "content-type": "application/fhir+json" }).end('{"resourceType":"Patient","id":');
      return;
    }
    if (fault?.kind === "hang") {
      record.status = -1;
      const timer = setTimeout(() => {
        hanging.delete(timer);
        send(504, operationOutcome("timeout", "Injected hang ended"));
      }, MAX_HANG_MS);
      hanging.add(timer);
      return;
    }
    if (fault?.kind === "redirect") {
      record.status = 302;
      res.writeHead(302, { location: fault.location }).end();
      return;
    }

    const [type, id, ...rest] = url.pathname.slice("/fhir/".length).split("/");
    if (!type || rest.length > 0) return send(400, operationOutcome("not-supported", "Only reads and type searches are supported"));
    if (id) {
      const found = stub.resources.find((resource) => resource.resourceType === type && resource.id === id);
      return found ? send(200, found) : send(404, operationOutcome("not-found", `${type}/${id} is not known`));
    }

    const params = url.searchParams;
    const subject = params.get("patient") ?? params.get("subject")?.replace(/^Patient\//, "");
    const idParam = params.get("_id");
    let matches = stub.resources.filter((resource) => resource.resourceType === type);
    if (idParam) matches = matches.filter((resource) => resource.id === idParam);
    if (subject) matches = matches.filter((resource) => refersTo(resource, subject));
    const link = [{ relation: "self", url: `${stub.base}/${type}${url.search}` }];
    if (fault?.kind === "next-link") link.push({ relation: "next", url: fault.url });
    send(200, {
      resourceType: "Bundle",
      type: "searchset",
      total: matches.length,
      link,
      entry: matches.map((resource) => ({ fullUrl: `${stub.base}/${resource.resourceType}/${resource.id}`, resource, search: { mode: "match" } })),
    });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  stub.origin = `http://127.0.0.1:${port}`;
  stub.base = `${stub.origin}/fhir`;
  return stub;
}

export interface CountingServer {
  url: string;
  origin: string;
  /** Every request received, and whether it carried an Authorization header. */
  requests: Array<{ method: string; path: string; authorized: boolean }>;
  stop(): Promise<void>;
}

/**
 * Start an "evil" loopback server that responds to every request with 200
 * `{}` and counts what it receives. Tests point attacks at it and expect zero requests.
 */
export async function startCountingServer(): Promise<CountingServer> {
  const requests: CountingServer["requests"] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? "", path: req.url ?? "", authorized: Boolean(req.headers.authorization) });
    req.resume();
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    origin,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
