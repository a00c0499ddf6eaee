import type { Metadata } from "next";
import { resolveReferenceName } from "@/lib/fhir/resolve-name";
import { pageRequestId } from "@/lib/http/route-error";
import { loadLaunch } from "@/lib/session/launch-store";
import { launchContextShared } from "@/lib/smart/context-checks";
import { compareScopes, describeScope, hasScope, normalizeScope, type ScopeStatus } from "@/lib/smart/scopes";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Access granted · SMART on FHIR with Descope" };

const STATUS_TEXT: Record<ScopeStatus, string> = {
  granted: "Granted",
  "partly-granted": "Partly granted",
  denied: "Denied",
  extra: "Granted, not requested",
};

/** Say how far away `time` is, in whole minutes or hours. */
function fromNow(time: number): string {
  const minutes = Math.round((time - Date.now()) / 60_000);
  if (minutes <= 0) return "already expired; the app renews it when it next reads data";
  if (minutes < 90) return `in ${minutes} minute${minutes === 1 ? "" : "s"}`;
  return `in ${Math.round(minutes / 60)} hours`;
}

/** Consent results: each requested scope against what the authorization server granted, and the context of the launch. */
export default async function ConsentResultsPage({ params }: { params: Promise<{ launchId: string }> }) {
  const { launchId } = await params;
  const record = await loadLaunch(launchId);
  if (!record?.tokens) return null;

  // Without the "launch" permission the EHR's patient and encounter stay unused, so they are not listed.
  const shared = launchContextShared(record);
  const context = shared ? (record.context ?? {}) : { ...record.context, patient: undefined, encounter: undefined };
  const notShared = "Not shared: the \"launch\" permission was not granted";
  const unknownUser = hasScope(record.tokens.scope, "fhirUser") ? "Unknown user" : "Not shared: the \"fhirUser\" permission was not granted";
  const rows = compareScopes(record.requestedScope, record.tokens.scope);
  const requestId = pageRequestId();
  const [userName, patientName] = await Promise.all([
    record.userName ? Promise.resolve(record.userName) : resolveReferenceName(record, context.fhirUser, requestId),
    resolveReferenceName(record, context.patient ? `Patient/${context.patient}` : undefined, requestId),
  ]);

  return (
    <main>
      <h1>Access granted to this app</h1>
      <section className="card" aria-labelledby="context-title">
        <h2 id="context-title">Launch context</h2>
        <dl className="facts">
          <dt>Signed in as</dt>
          <dd data-testid="signed-in-user">{userName ?? context.fhirUser ?? unknownUser}</dd>
          <dt>Patient</dt>
          <dd data-testid="context-patient">
            {context.patient ? (
              <>
                {patientName ?? "Unknown name"} <span className="muted">{`(Patient/${context.patient})`}</span>
              </>
            ) : shared ? (
              "None"
            ) : (
              notShared
            )}
          </dd>
          <dt>Encounter</dt>
          <dd data-testid="context-encounter">{context.encounter ? <span className="muted">{`Encounter/${context.encounter}`}</span> : shared ? "None" : notShared}</dd>
          <dt>FHIR server</dt>
          <dd>{record.iss}</dd>
          <dt>Access expires</dt>
          <dd>
            {fromNow(record.tokens.expiresAt)}{" "}
            <span className="muted">
              (<time dateTime={new Date(record.tokens.expiresAt).toISOString()}>{new Date(record.tokens.expiresAt).toUTCString()}</time>)
            </span>
          </dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="scopes-title">
        <h2 id="scopes-title">Requested and granted scopes</h2>
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Scope</th>
                <th scope="col">What it allows</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={`${row.status}:${row.scope}`} data-status={row.status}>
                  <td>
                    <code>{row.scope}</code>
                  </td>
                  <td>
                    {describeScope(row.scope)}
                    {normalizeScope(row.scope) !== row.scope ? (
                      <span className="muted">
                        {" "}
                        (SMART v2: <code>{normalizeScope(row.scope)}</code>)
                      </span>
                    ) : null}
                  </td>
                  <td className={row.status === "denied" || row.status === "partly-granted" ? "denied" : "granted"}>
                    {STATUS_TEXT[row.status]}
                    {row.grantedAs ? ` (as ${row.grantedAs})` : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </main>
  );
}
