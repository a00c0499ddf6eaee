import { escapeHtml } from "@/lib/http/error-page";

/**
 * The HTML shell of the sandbox authorization server's pages. They load no
 * script, so their forms work as soon as they are painted.
 */

const STYLE = [
  "*{box-sizing:border-box}",
  "body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f7f8fa;color:#1c2430;line-height:1.45}",
  "main{max-width:640px;margin:0 auto;padding:1.5rem}",
  "h1{font-size:1.5rem;margin:0 0 1rem}",
  ".card{background:#fff;border:1px solid #d7dce3;border-radius:6px;padding:1rem;margin-bottom:1rem;overflow-wrap:anywhere}",
  ".error-page{border-left:4px solid #b3261e}",
  ".muted{color:#5b6675}",
  "fieldset{border:0;margin:0;padding:0}legend{font-weight:600;margin-bottom:.5rem}",
  "label{display:block;margin:.3rem 0}",
  ".choices{list-style:none;margin:0;padding:0;display:grid;gap:.5rem}",
  "button{font:inherit;padding:.45rem .9rem;border-radius:6px;border:1px solid #1f5fbf;background:#1f5fbf;color:#fff;cursor:pointer;text-align:left}",
  "button.secondary{background:#fff;color:#1f5fbf}",
  "button:focus-visible,input:focus-visible{outline:3px solid #f5a623;outline-offset:2px}",
].join("");

/** Return a complete HTML response with `title` and the already escaped `mainHtml`. */
export function sandboxHtmlResponse(title: string, mainHtml: string, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="/favicon.svg">
<style>${STYLE}</style>
</head><body>${mainHtml}</body></html>`;
  return new Response(html, {
    status: init.status ?? 200,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", pragma: "no-cache", ...init.headers },
  });
}

export { escapeHtml };
