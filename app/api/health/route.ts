import { getConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

/** Liveness check; also fails when the configuration is invalid. */
export function GET() {
  getConfig();
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
