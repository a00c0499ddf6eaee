import { ERROR_CODES, RESTARTABLE_CODES, type AppError } from "@/lib/errors";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

export interface ErrorPageOptions {
  /** Whether the browser shows the page in a frame. Outside one, pages for RESTARTABLE_CODES link to the start page. */
  framed?: boolean;
  /** Markup before `</body>`, unescaped, so it must be trusted. */
  trailingHtml?: string;
}

/**
 * Render the error page a route handler returns: the code's title,
 * message and next step, plus a peer's description as plain text.
 * Without `framed`, the page is treated as framed and has no start page link.
 */
export function errorPageResponse(error: AppError, requestId: string, options: ErrorPageOptions = {}): Response {
  const { framed = true, trailingHtml = "" } = options;
  const text = ERROR_CODES[error.code];
  const startLink = RESTARTABLE_CODES.has(error.code) && !framed ? `<p><a href="/">Go to the start page</a></p>` : "";
  const peerDetail = error.options.publicDetail
    ? `<p>Details from the server: <q class="peer-detail">${escapeHtml(error.options.publicDetail.slice(0, 500))}</q></p>`
    : "";
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(text.title)}</title><link rel="icon" href="/favicon.svg">
<style>body{font-family:system-ui,sans-serif;background:#f7f8fa;color:#1c2430;margin:0}main{max-width:640px;margin:2rem auto;padding:1.5rem;background:#fff;border:1px solid #d7dce3;border-left:4px solid #b3261e;border-radius:6px}.muted{color:#5b6675;font-size:.9rem}</style>
</head><body><main aria-labelledby="title"><div role="alert">
<h1 id="title">${escapeHtml(text.title)}</h1>
<p>${escapeHtml(text.message)}</p>
${peerDetail}
<p><strong>What to do:</strong> ${escapeHtml(text.action)}</p>
${startLink}
<p class="muted">Error code: <code>${escapeHtml(error.code)}</code> · Request id: <code>${escapeHtml(requestId)}</code></p>
</div></main>${trailingHtml}</body></html>`;
  return new Response(html, {
    status: error.status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}
