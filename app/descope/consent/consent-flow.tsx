"use client";

import { AuthProvider, Descope } from "@descope/nextjs-sdk";
import { useCallback, useState } from "react";
import { stateAfterError, stateAfterSuccess, type ConsentFlowSettings, type ConsentFlowState } from "./flow-events";

/**
 * Runs the Inbound App consent flow in Descope's web component. The flow
 * itself sends the browser back to the app's redirect URI when it ends, so
 * this component only reports progress and errors.
 *
 * The Descope session that the flow creates is not kept in this app: tokens
 * are not persisted or refreshed here, and the last signed-in user is not
 * remembered, because clinicians often share a workstation.
 */
export function ConsentFlow({ settings, retryHref }: { settings: ConsentFlowSettings; retryHref: string }) {
  const [state, setState] = useState<ConsentFlowState>({ status: "running" });
  const onSuccess = useCallback(() => setState(stateAfterSuccess()), []);
  const onError = useCallback((event: CustomEvent<unknown>) => setState(stateAfterError(event)), []);

  return (
    <AuthProvider
      projectId={settings.projectId}
      baseUrl={settings.baseUrl}
      baseStaticUrl={settings.baseStaticUrl}
      baseCdnUrl={settings.baseCdnUrl}
      persistTokens={false}
      autoRefresh={false}
      sessionTokenViaCookie={false}
      refreshTokenViaCookie={false}
      storeLastAuthenticatedUser={false}
    >
      {state.status === "returning" ? (
        <section className="card" role="status" aria-live="polite" data-testid="consent-returning">
          <h2>Returning to the app…</h2>
          <p className="muted">If this page stays open, go back to your EHR and open the app again.</p>
        </section>
      ) : null}

      {state.status === "failed" ? (
        <section className="card error-page" role="alert" data-testid="consent-error">
          <h2>The sign-in could not be completed</h2>
          <p>Descope reported an error while running the sign-in and consent flow.</p>
          {state.detail ? <p>{state.detail}</p> : null}
          <p>
            <strong>What to do:</strong> try again, or open the app again from your EHR.
          </p>
          <p>
            <a className="button" href={retryHref}>
              Try again
            </a>{" "}
            <a className="button secondary" href="/">
              Back to the start page
            </a>
          </p>
          {state.errorCode ? (
            <p className="muted">
              Error code: <code>{state.errorCode}</code>
            </p>
          ) : null}
        </section>
      ) : null}

      <div className="card" data-testid="consent-flow">
        <Descope flowId={settings.flowId} onSuccess={onSuccess} onError={onError} />
      </div>
    </AuthProvider>
  );
}
