import { authServerDisabledResponse } from "@/lib/sandbox/auth/http";
import { revocationCounts } from "@/lib/sandbox/auth/replay";

export const dynamic = "force-dynamic";

/** Return the revocation counters of this server process, so tests can check that the app revoked its tokens. */
export function GET() {
  const disabled = authServerDisabledResponse();
  if (disabled) return disabled;

  return Response.json(revocationCounts(), { headers: { "cache-control": "no-store" } });
}
