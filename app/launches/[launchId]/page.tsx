import { loadLaunch } from "@/lib/session/launch-store";
import { grantsRead } from "@/lib/smart/scopes";
import { ownPatientId } from "@/lib/smart/callback";
import { PatientPicker } from "./patient-picker";
import { PatientView } from "./patient-view";

export const dynamic = "force-dynamic";

/** The patient page of one launch. The layout has already checked that the launch exists. */
export default async function LaunchPatientPage({ params }: { params: Promise<{ launchId: string }> }) {
  const { launchId } = await params;
  const record = await loadLaunch(launchId);
  const context = record?.context ?? {};
  const scope = record?.tokens?.scope ?? "";

  if (!context.patient && record?.kind === "standalone" && !ownPatientId(context.fhirUser)) {
    return (
      <main>
        <PatientPicker launchId={launchId} />
      </main>
    );
  }

  if (!context.patient) {
    const patientScopeGranted = grantsRead(scope, "patient", "Patient") || /(^|\s)patient\//.test(scope);
    return (
      <main>
        <section className="card" role="status">
          <h1>No patient in context</h1>
          <p>
            {patientScopeGranted
              ? "Access to patient data was granted, but the authorization server did not say which patient this launch is for."
              : "This launch has no patient context and no patient data access was granted."}
          </p>
          <p>Open the app again from the patient&apos;s chart in your EHR.</p>
        </section>
      </main>
    );
  }

  return (
    <main>
      <PatientView launchId={launchId} patientId={context.patient} showBanner={context.needPatientBanner !== false} />
    </main>
  );
}
