/**
 * The app's stylesheet. The root layout writes it into each page's <head>
 * instead of linking a file, so a page paints as soon as its HTML arrives
 * rather than after a second request (benchmark 1 in bench/analysis.md).
 */
export const APP_CSS = `
:root {
  --color-bg: #f7f8fa;
  --color-surface: #ffffff;
  --color-text: #1c2430;
  --color-muted: #5b6675;
  --color-accent: #1f5fbf;
  --color-accent-text: #ffffff;
  --color-danger: #b3261e;
  --color-ok: #1e7b34;
  --color-border: #d7dce3;
  --font-body: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  --radius: 6px;
}
* { box-sizing: border-box; }
body { margin: 0; font-family: var(--font-body); background: var(--color-bg); color: var(--color-text); line-height: 1.45; }
main { max-width: 960px; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
a { color: var(--color-accent); }
table { border-collapse: collapse; width: 100%; background: var(--color-surface); }
th, td { text-align: left; padding: 0.4rem 0.6rem; border-bottom: 1px solid var(--color-border); vertical-align: top; }
button, .button { font: inherit; padding: 0.45rem 0.9rem; border-radius: var(--radius); border: 1px solid var(--color-accent); background: var(--color-accent); color: var(--color-accent-text); cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: var(--color-surface); color: var(--color-accent); }
button:focus-visible, a:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
.card { background: var(--color-surface); border: 1px solid var(--color-border); border-radius: var(--radius); padding: 1rem; margin-bottom: 1rem; }
.error-page { border-left: 4px solid var(--color-danger); }
.muted { color: var(--color-muted); }
.badge { display: inline-block; padding: 0 0.4rem; border-radius: var(--radius); font-size: 0.85rem; border: 1px solid currentColor; }
.granted { color: var(--color-ok); }
.denied { color: var(--color-danger); font-weight: 600; }
label { display: block; margin: 0.3rem 0; }
.launch-nav { display: flex; gap: 1rem; max-width: 960px; margin: 0 auto; padding: 0.75rem 1.5rem 0; }
.banner-facts { display: flex; flex-wrap: wrap; gap: 0.5rem 2rem; margin: 0; }
.banner-facts dt, .facts dt { font-size: 0.8rem; color: var(--color-muted); }
.banner-facts dd { margin: 0; font-weight: 600; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0; }
.facts dd { margin: 0; }
.resource-list { margin: 0; padding-left: 1.2rem; }
.patient-banner h1 { margin-bottom: 0.5rem; }
.logout-form { margin-left: auto; }
.launch-nav { align-items: center; }
.issuer-list { list-style: none; padding: 0; display: grid; gap: 0.5rem; }
.picker-list { list-style: none; padding: 0; display: grid; gap: 0.4rem; }
input[type="search"] { font: inherit; padding: 0.4rem; border: 1px solid var(--color-border); border-radius: var(--radius); min-width: 16rem; }
.launch-shell { background: var(--color-bg); color: var(--color-text); font-family: var(--font-body); min-height: 100vh; }
.card > h1:first-child, .card > h2:first-child { margin-top: 0; }
.card { overflow-wrap: anywhere; }
.table-scroll { overflow-x: auto; }
.nowrap, time { white-space: nowrap; }
.flag-abnormal { color: var(--color-danger); font-weight: 600; }
`;
