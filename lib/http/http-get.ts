import http from "node:http";
import https from "node:https";
import { gunzipSync } from "node:zlib";

/**
 * GET requests from route handlers with node:http instead of fetch, over kept-alive
 * connections. Next.js 15.5 wraps the global fetch in route handlers (tracing spans,
 * cache checks, fetch metrics) on top of undici's own streams. Without both, a
 * proxied FHIR read took 0.3 to 0.9 ms less (median) and about 0.5 ms less CPU on
 * average (two A/B runs of 600 reads on a busy 2-core machine, so an estimate).
 */

const AGENTS = {
  "http:": new http.Agent({ keepAlive: true }),
  "https:": new https.Agent({ keepAlive: true }),
};

export interface HttpGetResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body, gunzipped when the server sent it gzip-encoded. */
  body: Buffer;
}

/** A reused keep-alive connection that the server had closed: the request never reached it. */
class StaleConnectionError extends Error {}

/**
 * Send a GET to `url` and return the status, headers and body. Redirects are
 * returned as they are, never followed. The exchange must end within
 * `timeoutMs`, or the promise rejects with an error named "TimeoutError".
 * A request that finds its reused connection closed by the server is sent
 * once more on a new one, which is safe because GET is idempotent.
 */
export async function httpGet(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<HttpGetResponse> {
  const deadline = Date.now() + timeoutMs;
  try {
    return await sendGet(url, headers, timeoutMs);
  } catch (error) {
    if (!(error instanceof StaleConnectionError)) throw error;
    return sendGet(url, headers, Math.max(deadline - Date.now(), 1));
  }
}

function sendGet(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<HttpGetResponse> {
  if (url.protocol !== "http:" && url.protocol !== "https:") return Promise.reject(new Error(`Invalid protocol "${url.protocol}": only http and https are supported`));
  const secure = url.protocol === "https:";
  const client = secure ? https : http;
  const agent = secure ? AGENTS["https:"] : AGENTS["http:"];

  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: Error | undefined, response?: HttpGetResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(response!);
    };

    const request = client.request(url, { method: "GET", agent, headers: { ...headers, "accept-encoding": "gzip" } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", (error) => settle(error));
      response.on("close", () => {
        if (!response.complete) settle(new Error("Connection closed before the response ended"));
      });
      response.on("end", () => {
        try {
          settle(undefined, { status: response.statusCode ?? 0, headers: response.headers, body: decodeBody(Buffer.concat(chunks), response.headers["content-encoding"]) });
        } catch (error) {
          settle(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });

    const timer = setTimeout(() => {
      const error = new Error(`Timed out after ${timeoutMs} ms without a complete response`);
      error.name = "TimeoutError";
      settle(error);
      request.destroy();
    }, timeoutMs);
    request.on("error", (error: NodeJS.ErrnoException) => {
      settle(request.reusedSocket && error.code === "ECONNRESET" ? new StaleConnectionError("Reused connection was closed", { cause: error }) : error);
    });
    request.end();
  });
}

function decodeBody(body: Buffer, encoding: string | undefined): Buffer {
  const name = encoding?.trim().toLowerCase();
  if (!name || name === "identity") return body;
  if (name === "gzip" || name === "x-gzip") return gunzipSync(body);
  throw new Error(`Invalid content-encoding "${encoding}": the request accepted only gzip`);
}
