import { authorize } from "@/lib/sandbox/auth/authorize";
import { authServerDisabledResponse, pageErrorResponse, readParams, seeOther } from "@/lib/sandbox/auth/http";

export const dynamic = "force-dynamic";

async function handle(request: Request): Promise<Response> {
  const disabled = authServerDisabledResponse();
  if (disabled) return disabled;

  try {
    return seeOther(await authorize(await readParams(request)));
  } catch (error) {
    return pageErrorResponse(error, "sandbox.authorize.rejected");
  }
}

/** Authorization endpoint (RFC 6749 §3.1); OpenID Connect allows GET and form POST. */
export const GET = handle;
export const POST = handle;
