import { authServerJwks, isSandboxProject } from "@/lib/sandbox/auth/discovery";
import { authServerDisabledResponse, publicJson } from "@/lib/sandbox/auth/http";

export const dynamic = "force-dynamic";

/** Return the signing keys of the sandbox authorization server, at Descope's `jwks_uri` path. */
export async function GET(_request: Request, { params }: { params: Promise<{ projectId: string }> }) {
  const disabled = authServerDisabledResponse();
  if (disabled) return disabled;

  const { projectId } = await params;
  if (!isSandboxProject(projectId)) return Response.json({ error: "not_found", error_description: "Unknown project id" }, { status: 404 });
  return publicJson(authServerJwks());
}
