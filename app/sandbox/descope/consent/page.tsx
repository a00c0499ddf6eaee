import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { findSandboxClient } from "@/lib/sandbox/auth/clients";
import { authServerUrls } from "@/lib/sandbox/auth/discovery";
import { isSandboxAuthServerEnabled } from "@/lib/sandbox/auth/http";
import { openConsentStep, type PendingConsent } from "@/lib/sandbox/auth/interaction";
import { describeScope } from "@/lib/sandbox/auth/scopes";
import { RequestError } from "../request-error";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Allow access · Sandbox authorization server" };

/** Consent step of the sandbox: approve or untick each requested scope, then allow or deny. */
export default async function ConsentPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (!isSandboxAuthServerEnabled()) notFound();

  const { request: sealedRequest } = await searchParams;
  const token = typeof sealedRequest === "string" ? sealedRequest : undefined;
  let pending: PendingConsent;
  try {
    pending = await openConsentStep(token);
  } catch (error) {
    return <RequestError error={error} />;
  }

  const { request, user } = pending;
  const clientName = findSandboxClient(request.clientId)?.name ?? request.clientId;

  return (
    <main>
      <h1>Allow {clientName} to access health records?</h1>
      <p>
        Signed in as <strong>{user.name}</strong> <span className="muted">({user.fhirUser})</span>.
      </p>
      <form method="post" action={`${authServerUrls().consent}/submit`} className="card">
        <input type="hidden" name="request" value={token} />
        <fieldset>
          <legend>Permissions requested</legend>
          <p className="muted">Untick a permission to leave it out of what you allow.</p>
          {request.scopes.map((scope, index) => (
            <div key={scope}>
              <label>
                <input type="checkbox" name="scope" value={scope} defaultChecked aria-describedby={`scope-${index}-description`} /> <code>{scope}</code>
              </label>
              <p id={`scope-${index}-description`} className="muted">
                {describeScope(scope)}
              </p>
            </div>
          ))}
        </fieldset>
        <p>
          <button type="submit" name="decision" value="allow">
            Allow
          </button>{" "}
          <button type="submit" name="decision" value="deny" className="secondary">
            Deny
          </button>
        </p>
      </form>
    </main>
  );
}
