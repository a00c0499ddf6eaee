import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { httpGet } from "@/lib/http/http-get";

/** Requests a loopback server received, with the connection each came on. */
interface Received {
  path: string;
  acceptEncoding: string | undefined;
  socket: Socket;
}

let server: Server | undefined;

async function serve(handler: (request: IncomingMessage, response: ServerResponse, received: Received[]) => void): Promise<{ origin: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((request, response) => {
    received.push({ path: request.url ?? "", acceptEncoding: request.headers["accept-encoding"], socket: request.socket });
    handler(request, response, received);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe("httpGet", () => {
  it("decodes a gzip body", async () => {
    const { origin, received } = await serve((_request, response) => {
      response.writeHead(200, { "content-type": "application/fhir+json", "content-encoding": "gzip" }).end(gzipSync('{"resourceType":"Patient"}'));
    });

    const response = await httpGet(new URL(`${origin}/Patient/1`), { accept: "application/fhir+json" }, 5000);

    expect(response.status).toBe(200);
    expect(response.body.toString("utf8")).toBe('{"resourceType":"Patient"}');
    expect(received[0]?.acceptEncoding).toBe("gzip");
  });

  it("rejects an encoding it did not request", async () => {
    const { origin } = await serve((_request, response) => {
      response.writeHead(200, { "content-encoding": "br" }).end("abc");
    });

    await expect(httpGet(new URL(`${origin}/x`), {}, 5000)).rejects.toThrow('Invalid content-encoding "br"');
  });

  it("returns a redirect without following it", async () => {
    const { origin, received } = await serve((request, response) => {
      if (request.url === "/start") response.writeHead(302, { location: "/elsewhere" }).end();
      else response.writeHead(200).end("followed");
    });

    const response = await httpGet(new URL(`${origin}/start`), {}, 5000);

    expect(response.status).toBe(302);
    expect(response.headers.location).toBe("/elsewhere");
    expect(received.map((request) => request.path)).toEqual(["/start"]);
  });

  it("times out without a complete response", async () => {
    const { origin } = await serve((_request, response) => {
      // Headers and part of the body, then nothing more.
      response.writeHead(200, { "content-length": "100" });
      response.write("{");
    });

    const error = await httpGet(new URL(`${origin}/slow`), {}, 300).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe("TimeoutError");
  });

  it("resends once when the kept-alive connection was closed", async () => {
    const { origin, received } = await serve((request, response, all) => {
      // The second request on the first connection finds it closed, as when the
      // server's keep-alive timeout ends just as the client reuses the connection.
      const onFirstSocket = all.filter((entry) => entry.socket === request.socket).length;
      if (onFirstSocket === 2 && all[0]?.socket === request.socket) {
        request.socket.destroy();
        return;
      }
      response.writeHead(200, { "content-type": "application/json" }).end(`{"request":${all.length}}`);
    });

    await httpGet(new URL(`${origin}/first`), {}, 5000);
    const second = await httpGet(new URL(`${origin}/second`), {}, 5000);

    expect(second.body.toString("utf8")).toBe('{"request":3}');
    expect(received.map((request) => request.path)).toEqual(["/first", "/second", "/second"]);
    expect(received[2]?.socket).not.toBe(received[0]?.socket);
  });

  it("rejects other protocols", async () => {
    await expect(httpGet(new URL("file:///etc/passwd"), {}, 1000)).rejects.toThrow('Invalid protocol "file:"');
  });
});
