import type { NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { OAuthError } from "@/lib/sandbox/auth/errors";
import { sandboxDisabledResponse } from "@/lib/sandbox/guard";
import { latestEncounterId } from "@/lib/sandbox/ehr/encounter";
import { launchContextFor, parseEhrLaunchOptions } from "@/lib/sandbox/ehr/launch-options";
import { buildAppLaunchUrl, mintLaunchToken } from "@/lib/sandbox/ehr/launch-token";
import { listSandboxPatients } from "@/lib/sandbox/fhir/store";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Open the app for a patient: sign a fresh launch token and redirect to the
 * app's launch URL. The EHR frame loads this route rather than a launch URL
 * minted into the page, so a reloaded frame starts a new launch instead of
 * replaying a used token, as real EHRs do.
 */
export async function GET(request: NextRequest) {
  const disabled = sandboxDisabledResponse();
  if (disabled) return disabled;

  let options;
  try {
    options = parseEhrLaunchOptions(request.nextUrl.searchParams);
  } catch (error) {
    if (error instanceof OAuthError) return new Response(error.description, { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
    throw error;
  }

  const patient = (await listSandboxPatients()).find((candidate) => candidate.id === options.patientId);
  if (!patient) return new Response(`No sandbox patient has the id "${options.patientId}".`, { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });

  const context = launchContextFor(options, await latestEncounterId(patient.id));
  const launchUrl = buildAppLaunchUrl(await mintLaunchToken(context));
  return new Response(null, { status: 303, headers: { location: launchUrl, "cache-control": "no-store", "referrer-policy": "no-referrer" } });
}
