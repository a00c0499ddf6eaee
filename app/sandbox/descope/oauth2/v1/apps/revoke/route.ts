import { NO_STORE_HEADERS } from "@/lib/sandbox/auth/errors";
import { authServerDisabledResponse, jsonErrorResponse, readParams } from "@/lib/sandbox/auth/http";
import { handleRevocation } from "@/lib/sandbox/auth/revoke";

export const dynamic = "force-dynamic";

/** Revoke a token (RFC 7009 §2), responding 200 for any token once the client has authenticated. */
export async function POST(request: Request) {
  const disabled = authServerDisabledResponse();
  if (disabled) return disabled;

  try {
    await handleRevocation(await readParams(request), request.headers.get("authorization"));
    return new Response(null, { status: 200, headers: NO_STORE_HEADERS });
  } catch (error) {
    return jsonErrorResponse(error, "sandbox.revoke.rejected");
  }
}
