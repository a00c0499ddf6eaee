import { getConfig } from "@/lib/config";
import { withSecurityHeaders } from "@/lib/http/route-security";

export const dynamic = "force-dynamic";

/** Liveness check; also fails when the configuration is invalid. */
function handleHealth() {
  getConfig();
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}

export const GET = withSecurityHeaders("json", handleHealth);
