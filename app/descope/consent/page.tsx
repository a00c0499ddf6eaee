import type { Metadata } from "next";
import { getConfig } from "@/lib/config";
import { ConsentFlow } from "./consent-flow";
import { consentFlowSettings, isInboundAppRequest } from "./flow-events";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in and allow access · SMART on FHIR with Descope" };

type SearchParams = Record<string, string | string[] | undefined>;

/** Rebuild this page's URL with its original query, for a retry after the web component has removed it. */
function retryHref(searchParams: SearchParams): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(searchParams)) {
    if (value === undefined) continue;
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) query.append(name, item);
  }
  const text = query.toString();
  return text ? `/descope/consent?${text}` : "/descope/consent";
}

/**
 * The Inbound App's Flow Hosting URL (`{APP_BASE_URL}/descope/consent`).
 * Descope's authorize endpoint sends the browser here with `flow`,
 * `third_party_app_id`, `third_party_app_state_id` and
 * `oidc_error_redirect_uri`. The page runs the consent flow named by
 * DESCOPE_CONSENT_FLOW_ID, which signs the user in and records consent.
 */
export default async function DescopeConsentPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { authServer } = getConfig();
  const params = await searchParams;

  if (authServer.mode !== "descope") {
    return (
      <main>
        <section className="card" role="status" aria-labelledby="consent-title">
          <h1 id="consent-title">This page is for Descope mode</h1>
          <p>
            Descope opens this page to sign users in and ask for their consent. This deployment uses the built-in sandbox
            instead (DESCOPE_PROJECT_ID is not set), so there is nothing to do here.
          </p>
          <p>
            To use Descope, set the DESCOPE_* variables and register <code>/descope/consent</code> as the Inbound App&apos;s
            Flow Hosting URL. See <a href="/status">the status page</a> for this deployment&apos;s settings.
          </p>
        </section>
      </main>
    );
  }

  if (!isInboundAppRequest(params)) {
    return (
      <main>
        <section className="card error-page" role="alert" aria-labelledby="consent-title">
          <h1 id="consent-title">Open the app from your EHR</h1>
          <p>
            This page is part of the sign-in and only works when Descope opens it during an authorization, with the
            Inbound App&apos;s parameters in the address.
          </p>
          <p>
            <strong>What to do:</strong> open the app again from your EHR.
          </p>
        </section>
      </main>
    );
  }

  return (
    <main>
      <h1>Sign in and allow access</h1>
      <p className="muted">Sign in with your organization&apos;s account, then review the access the app requests.</p>
      <ConsentFlow settings={consentFlowSettings(authServer)} retryHref={retryHref(params)} />
    </main>
  );
}
