import { AppError } from "@/lib/errors";
import { errorPageResponse, escapeHtml } from "./error-page";

/** Message type the login popup sends to the framed app; see `PopupSignIn`. */
export const HANDBACK_MESSAGE_TYPE = "smart-authorization-response";

/** Query parameter the framed app adds when it replays the popup's authorization response. */
export const HANDBACK_PARAMETER = "handback";

/**
 * Build the response to a callback that reached a login popup. Partitioned cookies set in the
 * EHR frame are not visible in the popup, so the popup cannot finish the
 * launch itself: its page posts the authorization response to its opener, and
 * only to the app's own origin; the framed app then replays it to `/callback`
 * where its cookie is. Without an opener the page stays the "unknown sign-in" error.
 */
export function popupHandbackResponse(requestId: string, nonce: string | null): Response {
  const script = `<script nonce="${escapeHtml(nonce ?? "")}">
(function () {
  var opener = window.opener;
  // Only a top-level popup hands back; a framed callback keeps the error text.
  if (!opener || window.parent !== window) return;
  opener.postMessage({ type: "${HANDBACK_MESSAGE_TYPE}", search: window.location.search }, window.location.origin);
  var main = document.querySelector("main");
  main.style.borderLeftColor = "#1e7b34";
  main.innerHTML = "<h1>Sign-in complete</h1><p>Return to your EHR window. You can close this window.</p>";
  window.close();
})();
</script>`;
  return errorPageResponse(new AppError("unknown_launch_state", "Callback without a launch cookie"), requestId, script);
}
