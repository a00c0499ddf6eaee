import { log } from "@/lib/log";
import { NO_STORE_HEADERS } from "@/lib/sandbox/auth/errors";
import { authServerDisabledResponse, jsonErrorResponse, readParams } from "@/lib/sandbox/auth/http";
import { handleTokenRequest } from "@/lib/sandbox/auth/token-endpoint";

export const dynamic = "force-dynamic";

// Browser apps that are public clients (fhirclient, for one) post here from
// their own origin and must be able to read the response. A form-encoded POST
// without an Authorization header is a CORS simple request with no preflight,
// so this endpoint has no OPTIONS handler; a JSON body from a browser would need one.
const CORS_HEADERS = { "access-control-allow-origin": "*" };

/** Issue tokens at the token endpoint (RFC 6749 §3.2), from a form-encoded or JSON body. */
export async function POST(request: Request) {
  const disabled = authServerDisabledResponse();
  if (disabled) return disabled;

  try {
    const params = await readParams(request);
    const response = await handleTokenRequest(params, request.headers.get("authorization"));
    log.info("sandbox.token.issued", { grantType: params.get("grant_type"), scope: response.scope, patient: response.patient });
    return Response.json(response, { headers: { ...NO_STORE_HEADERS, ...CORS_HEADERS } });
  } catch (error) {
    const response = jsonErrorResponse(error, "sandbox.token.rejected");
    for (const [name, value] of Object.entries(CORS_HEADERS)) response.headers.set(name, value);
    return response;
  }
}
