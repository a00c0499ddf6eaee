import type { AuthServerConfig } from "@/lib/config";

/**
 * Settings the consent page passes to Descope's `AuthProvider` and `Descope`
 * flow component. This module also maps the flow's `success` and `error`
 * events to page states, apart from the React component so tests can call it.
 */
export interface ConsentFlowSettings {
  projectId: string;
  /** Descope API base URL; the flow calls `{baseUrl}/v1/flow/...`. */
  baseUrl: string;
  flowId: string;
  /** Flow pages base URL (`base-static-url`), only when DESCOPE_STATIC_URL is set. */
  baseStaticUrl?: string;
  /** Preferred UI components base URL (`base-cdn-url`), only when DESCOPE_CDN_URL is set. */
  baseCdnUrl?: string;
}

/** Build the component settings from the Descope configuration. */
export function consentFlowSettings(authServer: AuthServerConfig): ConsentFlowSettings {
  return {
    projectId: authServer.projectId,
    baseUrl: authServer.descopeBaseUrl,
    flowId: authServer.consentFlowId,
    ...(authServer.staticUrl ? { baseStaticUrl: authServer.staticUrl } : {}),
    ...(authServer.cdnUrl ? { baseCdnUrl: authServer.cdnUrl } : {}),
  };
}

/**
 * Query parameters that Descope's authorize endpoint adds when it sends the
 * browser to the Flow Hosting URL. The web component reads them from the
 * address bar, passes them to the flow and removes them.
 */
export const INBOUND_APP_PARAMS = ["third_party_app_id", "third_party_app_state_id"] as const;

/** Return true when the page was opened by Descope for an Inbound App authorization. */
export function isInboundAppRequest(searchParams: Record<string, string | string[] | undefined>): boolean {
  return INBOUND_APP_PARAMS.some((name) => typeof searchParams[name] === "string" && searchParams[name] !== "");
}

export type ConsentFlowState =
  | { status: "running" }
  /** The flow finished; Descope's redirect back to the app's redirect URI follows. */
  | { status: "returning" }
  | { status: "failed"; errorCode?: string; detail?: string };

/** Maximum length of Descope error text shown on the page; longer text is cut. */
const MAX_DETAIL_LENGTH = 300;

function shortText(value: unknown): string | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const text = value.trim();
  return text.length > MAX_DETAIL_LENGTH ? `${text.slice(0, MAX_DETAIL_LENGTH)}…` : text;
}

/** State after the flow's `success` event. */
export function stateAfterSuccess(): ConsentFlowState {
  return { status: "returning" };
}

/**
 * State after the flow's `error` event. The web component sends the failed
 * API response's `{ errorCode, errorDescription, errorMessage }` as the
 * event's detail; anything else still yields a failure without detail.
 */
export function stateAfterError(event: { detail?: unknown }): ConsentFlowState {
  const detail = event.detail && typeof event.detail === "object" ? (event.detail as Record<string, unknown>) : {};
  const errorCode = shortText(detail.errorCode);
  const text = shortText(detail.errorDescription) ?? shortText(detail.errorMessage);
  return { status: "failed", ...(errorCode ? { errorCode } : {}), ...(text ? { detail: text } : {}) };
}
