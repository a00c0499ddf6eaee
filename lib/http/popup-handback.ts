import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { errorPageResponse } from "./error-page";
import { contentSecurityPolicy, newNonce } from "./security-headers";

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
 * The response carries its own CSP with the script's nonce, because the
 * middleware, which makes nonces for pages, skips `/callback`.
 */
export function popupHandbackResponse(requestId: string): Response {
  const nonce = newNonce();
  const script = `<script nonce="${nonce}">
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
  const response = errorPageResponse(new AppError("unknown_launch_state", "Callback without a launch cookie"), requestId, { framed: false, trailingHtml: script });
  response.headers.set("content-security-policy", contentSecurityPolicy(getConfig(), nonce));
  return response;
}
