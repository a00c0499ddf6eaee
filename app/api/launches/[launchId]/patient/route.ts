import type { NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { newRequestId, routeErrorResponse } from "@/lib/http/route-error";
import { withSecurityHeaders } from "@/lib/http/route-security";
import { assertSameOrigin } from "@/lib/http/same-origin";
import { fetchForLaunch } from "@/lib/fhir/launch-fetch";
import { upstreamUrl } from "@/lib/fhir/proxy";
import { openLaunch, saveActiveLaunch } from "@/lib/session/launch-lifecycle";
import { ownPatientId } from "@/lib/smart/callback";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const PATIENT_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * Bind the patient a practitioner chose in the picker to a standalone launch.
 * A launch that already has a patient, and a patient user, cannot choose
 * another; the FHIR server must also let this token read the patient.
 */
async function handlePatientChoice(request: NextRequest, { params }: { params: Promise<{ launchId: string }> }) {
  const requestId = newRequestId();
  const { launchId } = await params;

  try {
    assertSameOrigin(request);
    const record = await openLaunch(launchId, requestId);
    const patientId = String((await request.formData()).get("patientId") ?? "");

    if (!PATIENT_ID.test(patientId)) throw new AppError("invalid_request", `Field "patientId" is not a FHIR id`);
    if (record.kind !== "standalone" || record.context?.patient || ownPatientId(record.context?.fhirUser)) {
      throw new AppError("patient_not_allowed", `Launch cannot choose a patient`, { cause: { kind: record.kind, hasPatient: Boolean(record.context?.patient) } });
    }

    const { record: current, result } = await fetchForLaunch(record, upstreamUrl(record.iss, ["Patient", patientId], ""), requestId);
    if (result.status !== 200) throw new AppError("patient_not_allowed", `FHIR server responded with status ${result.status} for the chosen patient`);

    await saveActiveLaunch({ ...current, context: { ...current.context, patient: patientId } }, requestId);
    log.info("launch.patient_chosen", { requestId, launchId, patient: patientId });
    return new Response(null, { status: 303, headers: { location: `${getConfig().baseUrl}/launches/${launchId}`, "cache-control": "no-store" } });
  } catch (error) {
    return routeErrorResponse(error, "launch.patient_choice_failed", { requestId, launchId }, request);
  }
}

export const POST = withSecurityHeaders("document", handlePatientChoice);
