import { getConfig } from "@/lib/config";

/** Return a 404 response when the sandbox is switched off, or undefined when requests may proceed. */
export function sandboxDisabledResponse(): Response | undefined {
  if (getConfig().sandbox.enabled) return undefined;
  return new Response("Not found", { status: 404, headers: { "content-type": "text/plain" } });
}
