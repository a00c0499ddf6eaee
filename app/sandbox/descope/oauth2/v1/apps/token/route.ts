import { log } from "@/lib/log";
import { NO_STORE_HEADERS } from "@/lib/sandbox/auth/errors";
import { authServerDisabledResponse, jsonErrorResponse, readParams } from "@/lib/sandbox/auth/http";
import { handleTokenRequest } from "@/lib/sandbox/auth/token-endpoint";

export const dynamic = "force-dynamic";

/** Issue tokens at the token endpoint (RFC 6749 §3.2), from a form-encoded or JSON body. */
export async function POST(request: Request) {
  const disabled = authServerDisabledResponse();
  if (disabled) return disabled;

  try {
    const params = await readParams(request);
    const response = await handleTokenRequest(params, request.headers.get("authorization"));
    log.info("sandbox.token.issued", { grantType: params.get("grant_type"), scope: response.scope, patient: response.patient });
    return Response.json(response, { headers: NO_STORE_HEADERS });
  } catch (error) {
    return jsonErrorResponse(error, "sandbox.token.rejected");
  }
}
