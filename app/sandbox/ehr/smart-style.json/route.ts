import { publicJson } from "@/lib/sandbox/auth/http";
import { SANDBOX_SMART_STYLE } from "@/lib/sandbox/ehr/smart-style";
import { sandboxDisabledResponse } from "@/lib/sandbox/guard";

export const dynamic = "force-dynamic";

/** Return the sandbox EHR's SMART style, which its launches name in `smart_style_url`. */
export function GET() {
  const disabled = sandboxDisabledResponse();
  if (disabled) return disabled;

  return publicJson(SANDBOX_SMART_STYLE);
}
