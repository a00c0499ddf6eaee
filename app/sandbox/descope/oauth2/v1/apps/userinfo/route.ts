import { NO_STORE_HEADERS } from "@/lib/sandbox/auth/errors";
import { authServerDisabledResponse, jsonErrorResponse, readParams } from "@/lib/sandbox/auth/http";
import { handleUserInfo } from "@/lib/sandbox/auth/userinfo";

export const dynamic = "force-dynamic";

async function handle(request: Request): Promise<Response> {
  const disabled = authServerDisabledResponse();
  if (disabled) return disabled;

  try {
    const body = request.method === "POST" && request.headers.get("content-type") ? await readParams(request) : undefined;
    const userInfo = await handleUserInfo(request.headers.get("authorization"), body);
    return Response.json(userInfo, { headers: NO_STORE_HEADERS });
  } catch (error) {
    return jsonErrorResponse(error, "sandbox.userinfo.rejected");
  }
}

/** UserInfo endpoint (OpenID Connect Core §5.3): GET or POST with a Bearer access token. */
export const GET = handle;
export const POST = handle;
