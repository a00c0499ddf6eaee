import type { Metadata } from "next";
import { getConfig, type TrustedIssuer } from "@/lib/config";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Status · SMART on FHIR with Descope" };

function launchContextLabel(issuer: TrustedIssuer): string {
  return issuer.launchContext.type === "launch-token" ? `signed launch token from ${issuer.launchContext.issuer}` : "claims of the access token";
}

/**
 * Show administrators the deployment's configuration: which authorization
 * server is used, what to register with it, and which EHRs are trusted.
 *
 * It shows only values that are public anyway (issuer, client id, URLs).
 * It never renders SESSION_SECRET, the client secret or a token.
 */
export default function StatusPage() {
  const config = getConfig();
  const { authServer } = config;
  const descopeMode = authServer.mode === "descope";

  return (
    <main>
      <h1>Status</h1>

      <section className="card" aria-labelledby="auth-server-title">
        <h2 id="auth-server-title">Authorization server</h2>
        <dl className="facts">
          <dt>Mode</dt>
          <dd>
            {descopeMode ? (
              <>
                <strong>Descope</strong> (Inbound App of project <code>{authServer.projectId}</code>)
              </>
            ) : (
              <>
                <strong>Sandbox</strong> (the built-in authorization server that mimics Descope; DESCOPE_PROJECT_ID is not set)
              </>
            )}
          </dd>
          <dt>Issuer</dt>
          <dd>
            <code>{authServer.issuer}</code>
          </dd>
          <dt>Client id</dt>
          <dd>
            <code>{authServer.clientId}</code>
          </dd>
          <dt>Client authentication</dt>
          <dd>{descopeMode ? authServer.clientAuth : "client_secret_post (sandbox client)"}</dd>
          {descopeMode ? (
            <>
              <dt>Consent flow</dt>
              <dd>
                <code>{authServer.consentFlowId}</code>, hosted at <code>{`${config.baseUrl}/descope/consent`}</code>
              </dd>
            </>
          ) : null}
        </dl>
      </section>

      <section className="card" aria-labelledby="app-urls-title">
        <h2 id="app-urls-title">Register these URLs</h2>
        <dl className="facts">
          <dt>Launch URL</dt>
          <dd>
            <code>{config.launchUrl}</code>
          </dd>
          <dt>Redirect URI</dt>
          <dd>
            <code>{config.redirectUri}</code>
          </dd>
          <dt>Requested scopes (EHR launch)</dt>
          <dd>
            <code>{config.scopes}</code>
          </dd>
          <dt>Requested scopes (standalone launch)</dt>
          <dd>
            <code>{config.standaloneScopes}</code>
          </dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="issuers-title">
        <h2 id="issuers-title">Trusted FHIR servers</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">FHIR base (iss)</th>
              <th scope="col">Launch context from</th>
              <th scope="col">May frame the app</th>
            </tr>
          </thead>
          <tbody>
            {config.trustedIssuers.map((issuer) => (
              <tr key={issuer.iss}>
                <td>{issuer.name}</td>
                <td>
                  <code>{issuer.iss}</code>
                </td>
                <td>{launchContextLabel(issuer)}</td>
                <td>{issuer.frameAncestors.length > 0 ? issuer.frameAncestors.join(", ") : "none"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="card" aria-labelledby="deployment-title">
        <h2 id="deployment-title">Deployment</h2>
        <dl className="facts">
          <dt>App origin</dt>
          <dd>
            <code>{config.baseUrl}</code>
          </dd>
          <dt>Production deployment</dt>
          <dd>{config.isProduction ? "yes" : "no"}</dd>
          <dt>Sandbox</dt>
          <dd>{config.sandbox.enabled ? <>enabled, under <code>/sandbox</code></> : "disabled"}</dd>
        </dl>
      </section>
    </main>
  );
}
