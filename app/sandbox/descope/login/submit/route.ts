import { assertSameOriginPost, authServerDisabledResponse, pageErrorResponse, readParams, seeOther } from "@/lib/sandbox/auth/http";
import { submitLogin } from "@/lib/sandbox/auth/interaction";

export const dynamic = "force-dynamic";

/** Process the sign-in form and send the browser on to the consent page. */
export async function POST(request: Request) {
  const disabled = authServerDisabledResponse();
  if (disabled) return disabled;

  try {
    assertSameOriginPost(request);
    return seeOther(await submitLogin(await readParams(request)));
  } catch (error) {
    return pageErrorResponse(error, "sandbox.login.rejected");
  }
}
