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

export const GET = handle;
export const HEAD = handle;
export const POST = handle;
export const PUT = handle;
export const PATCH = handle;
export const DELETE = handle;

export function OPTIONS(): Response {
  return sandboxDisabledResponse() ?? handleFhirPreflight();
}
