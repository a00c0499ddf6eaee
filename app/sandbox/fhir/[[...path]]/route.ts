import { withSecurityHeaders } from "@/lib/http/route-security";
import { sandboxDisabledResponse } from "@/lib/sandbox/guard";
import { handleFhirPreflight, handleFhirRequest } from "@/lib/sandbox/fhir/handler";

/** The sandbox FHIR R4 server; all logic is in lib/sandbox/fhir/handler.ts. */
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

interface RouteContext {
  params: Promise<{ path?: string[] }>;
}

async function handle(request: Request, context: RouteContext): Promise<Response> {
  const disabled = sandboxDisabledResponse();
  if (disabled) return disabled;

  const { path = [] } = await context.params;
  return handleFhirRequest(request, path);
}

// The middleware skips /sandbox/fhir, so `handle` returns 404 itself when the
// sandbox is off, and the wrapper adds the security headers.
const handleWithHeaders = withSecurityHeaders("json", handle);

export const GET = handleWithHeaders;
export const HEAD = handleWithHeaders;
export const POST = handleWithHeaders;
export const PUT = handleWithHeaders;
export const PATCH = handleWithHeaders;
export const DELETE = handleWithHeaders;

export const OPTIONS = withSecurityHeaders("json", (): Response => sandboxDisabledResponse() ?? handleFhirPreflight());
