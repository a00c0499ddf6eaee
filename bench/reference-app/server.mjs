import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { gzipSync } from "node:zlib";

/**
 * Static server of the reference app, fhirclient's standard browser flow in
 * two pages, and of the host page that frames an app as the EHR does.
 * Usage: node bench/reference-app/server.mjs APP_PORT HOST_PORT. Both listen
 * on 127.0.0.1 only, and compress with gzip as `next start` does.
 */

const appDir = import.meta.dirname;
const fhirClientBuild = path.resolve(appDir, "../../node_modules/fhirclient/build/fhir-client.min.js");

const HTML = "text/html; charset=utf-8";

function file(name, type, cacheControl = "no-store") {
  const body = readFileSync(name);
  return { type, cacheControl, body, gzip: gzipSync(body, { level: 6 }) };
}

// The script is immutable like Next.js's hashed chunks; every run uses a fresh browser context, so nothing is cached across runs.
const APP_ROUTES = new Map([
  ["/launch", file(path.join(appDir, "launch.html"), HTML)],
  ["/callback", file(path.join(appDir, "index.html"), HTML)],
  ["/fhir-client.js", file(fhirClientBuild, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable")],
]);
const HOST_ROUTES = new Map([["/host", file(path.join(appDir, "host.html"), HTML)]]);

const [port, hostPort] = process.argv.slice(2).map(Number);
if (!Number.isInteger(port) || port <= 0 || !Number.isInteger(hostPort) || hostPort <= 0) {
  console.error("Usage: node bench/reference-app/server.mjs APP_PORT HOST_PORT");
  process.exit(2);
}

function handle(routes) {
  return (request, response) => {
    const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
    if (pathname === "/health") return response.end("ok");

    const route = routes.get(pathname);
    if (!route || (request.method !== "GET" && request.method !== "HEAD")) {
      response.writeHead(404, { "content-type": "text/plain" });
      return response.end("Not found");
    }
    const acceptsGzip = /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""));
    const body = acceptsGzip ? route.gzip : route.body;
    response.writeHead(200, {
      "content-type": route.type,
      "content-length": body.length,
      "cache-control": route.cacheControl,
      vary: "Accept-Encoding",
      ...(acceptsGzip ? { "content-encoding": "gzip" } : {}),
    });
    response.end(request.method === "HEAD" ? undefined : body);
  };
}

// The host page plays the EHR: a page on another origin than both apps that frames them.
const servers = [createServer(handle(APP_ROUTES)).listen(port, "127.0.0.1"), createServer(handle(HOST_ROUTES)).listen(hostPort, "127.0.0.1")];
console.log(`reference app on http://localhost:${port}, host page on http://localhost:${hostPort}/host`);
process.on("SIGTERM", () => {
  for (const server of servers) server.close();
  process.exit(0);
});
