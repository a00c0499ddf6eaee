import { assertSameOriginPost, authServerDisabledResponse, pageErrorResponse, readParams, seeOther } from "@/lib/sandbox/auth/http";
import { submitConsent } from "@/lib/sandbox/auth/interaction";

export const dynamic = "force-dynamic";

/** Process the consent form and send the browser back to the client with a code or `access_denied`. */
export async function POST(request: Request) {
  const disabled = authServerDisabledResponse();
  if (disabled) return disabled;

  try {
    assertSameOriginPost(request);
    return seeOther(await submitConsent(await readParams(request)));
  } catch (error) {
    return pageErrorResponse(error, "sandbox.consent.rejected");
  }
}
