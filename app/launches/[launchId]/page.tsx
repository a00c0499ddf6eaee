import type { Metadata } from "next";
import Link from "next/link";
import type { Patient } from "@/lib/fhir/format";
import { fetchFhir, upstreamUrl } from "@/lib/fhir/proxy";
import { log } from "@/lib/log";
import { pageRequestId } from "@/lib/http/route-error";
import type { LaunchRecord } from "@/lib/session/launch-record";
import { loadLaunch } from "@/lib/session/launch-store";
import { grantsRead } from "@/lib/smart/scopes";
import { ownPatientId } from "@/lib/smart/callback";
import { patientContextProblem } from "@/lib/smart/context-checks";
import { needsRefresh } from "@/lib/smart/refresh";
import { PatientPicker } from "./patient-picker";
import { PatientView } from "./patient-view";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Patient · SMART on FHIR with Descope" };

/**
 * Longest wait for the server-side patient read. A FHIR server slower than
 * this would hold back the whole page, so the browser reads the patient
 * through the proxy instead, as it would without the server-side read.
 */
const SERVER_READ_BUDGET_MS = 1000;

/**
 * Read the launch's patient while rendering, so that the first HTML already
 * shows the patient banner instead of waiting for the page's JavaScript and a
 * proxy request. Returns undefined when the token is expired or due for a
 * refresh, or the read fails or is slow: the browser then reads it through the
 * proxy, which refreshes tokens and shows errors. A page render cannot set
 * the refreshed launch cookie, so this read never refreshes.
 */
async function readPatientOnServer(record: LaunchRecord, patientId: string): Promise<Patient | undefined> {
  const tokens = record.tokens;
  if (!tokens || needsRefresh(tokens) || tokens.expiresAt <= Date.now()) return undefined;
  const requestId = pageRequestId();

  // The read goes on after a timeout, so its failure is caught here rather than by the race.
  const read = Promise.resolve()
    .then(() => fetchFhir(record, upstreamUrl(record.iss, ["Patient", patientId], "")))
    .catch((error: unknown) => {
      log.warn("fhir.server_read_failed", { requestId, launchId: record.id, error });
      return undefined;
    });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<"slow">((resolve) => {
    timer = setTimeout(() => resolve("slow"), SERVER_READ_BUDGET_MS);
  });
  const result = await Promise.race([read, slow]);
  clearTimeout(timer);

  if (result === "slow") {
    log.info("fhir.server_read_skipped", { requestId, launchId: record.id, reason: "slow", budgetMs: SERVER_READ_BUDGET_MS });
    return undefined;
  }
  const patient = result?.body as Patient | undefined;
  if (result && (result.status !== 200 || patient?.resourceType !== "Patient")) {
    log.info("fhir.server_read_skipped", { requestId, launchId: record.id, reason: "status", status: result.status });
    return undefined;
  }
  return result ? patient : undefined;
}

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

  const problem = record ? patientContextProblem(record) : undefined;
  if (problem) {
    return (
      <main>
        <section className="card error-page" role="alert" aria-labelledby="problem-title">
          <h1 id="problem-title">{problem.title}</h1>
          <p>{problem.message}</p>
          {record?.kind === "standalone" ? (
            <p>
              <Link href="/">Go to the start page</Link>
            </p>
          ) : null}
        </section>
      </main>
    );
  }

  const initialPatient = record ? await readPatientOnServer(record, context.patient) : undefined;
  return (
    <main>
      <PatientView launchId={launchId} patientId={context.patient} showBanner={context.needPatientBanner !== false} initialPatient={initialPatient} />
    </main>
  );
}
