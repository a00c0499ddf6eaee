"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { fetchLaunchFhir, FhirRequestError } from "@/lib/fhir/client-fetch";
import { patientName, type Patient } from "@/lib/fhir/format";
import { PatientBanner } from "./patient-banner";
import { ClinicalSummary } from "./clinical-summary";

/** Codes after which retrying cannot help: the user must launch again. */
const SESSION_ENDING_CODES = new Set(["launch_not_found", "refresh_failed", "session_expired"]);

/** Shows a query's failure with its next step, and a retry unless the session has ended. */
export function QueryError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const known = error instanceof FhirRequestError ? error : undefined;
  const sessionEnded = known !== undefined && SESSION_ENDING_CODES.has(known.code);
  return (
    <div className="card error-page" role="alert">
      <h2>{known?.title ?? "Could not load data"}</h2>
      <p>{known?.message ?? "The request failed."}</p>
      <p>{sessionEnded ? "Open the app again from your EHR." : known?.action ?? "Try again."}</p>
      {sessionEnded ? null : (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/**
 * The patient's banner, demographics and clinical summary, loaded through the
 * launch's FHIR proxy. `initialPatient` is the patient as the server read it
 * while rendering the page; it counts as fresh data, so the browser does not read it again.
 */
export function PatientView({ launchId, patientId, showBanner, initialPatient }: { launchId: string; patientId: string; showBanner: boolean; initialPatient?: Patient }) {
  const patient = useQuery({
    queryKey: ["patient", launchId, patientId],
    queryFn: () => fetchLaunchFhir<Patient>(launchId, `Patient/${encodeURIComponent(patientId)}`),
    initialData: initialPatient,
  });

  // Several patients are often open in tabs; the title names the patient in each.
  const name = patient.data ? patientName(patient.data) : undefined;
  useEffect(() => {
    if (name) document.title = `${name} · SMART app`;
  }, [name]);

  if (patient.isPending) return <p role="status">Loading patient…</p>;
  if (patient.isError) return <QueryError error={patient.error} onRetry={() => void patient.refetch()} />;

  return (
    <>
      {showBanner ? <PatientBanner patient={patient.data} /> : null}
      <ClinicalSummary launchId={launchId} patient={patient.data} patientId={patientId} />
    </>
  );
}
