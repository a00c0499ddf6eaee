import { publicJson } from "@/lib/sandbox/auth/http";
import { sandboxDisabledResponse } from "@/lib/sandbox/guard";
import { getSandboxSigningKey } from "@/lib/sandbox/keys";

export const dynamic = "force-dynamic";

/** Return the key set that verifies the EHR simulator's launch tokens. */
export function GET() {
  const disabled = sandboxDisabledResponse();
  if (disabled) return disabled;

  return publicJson({ keys: [getSandboxSigningKey("ehr").publicJwk] });
}
