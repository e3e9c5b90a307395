/**
 * The web UI's static parts: the page shell (no data: views are fetched with the token), its one
 * small script and its style sheet. Served from the UI's own origin, so the Content-Security-Policy
 * allows `'self'` and nothing inline.
 *
 * @module
 */

/** The views, in the order of the navigation. */
export const VIEWS: ReadonlyArray<readonly [string, string]> = [
  ['matrix', 'Access'],
  ['rotation', 'Rotation'],
  ['envs', 'Environments'],
  ['audit', 'Audit'],
  ['secrets', 'Secrets'],
  ['people', 'People'],
  ['inbox', 'Inbox'],
];

/** The HTML page every view is drawn in. */
export function shellPage(): string {
  const nav = VIEWS.map(([id, label]) => `<a href="/?view=${id}" data-nav="${id}">${label}</a>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>seeqret</title><link rel="stylesheet" href="/app.css"><script type="module" src="/app.js"></script></head>
<body><header><strong class="brand">seeqret</strong><nav aria-label="Views">${nav}</nav></header>
<p id="status" role="status" aria-live="polite"></p>
<main id="view" tabindex="-1"><p>Loading…</p></main></body></html>
`;
}

/** The page's script: token from the fragment, views fetched and forms posted with it, reveals hidden again. */
export const APP_JS = `'use strict';
const KEY = 'seeqret-ui-token';
const m = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(location.hash);
if (m) { sessionStorage.setItem(KEY, m[1]); history.replaceState(null, '', location.pathname + location.search); }
const token = sessionStorage.getItem(KEY) || '';
const main = document.getElementById('view');
const status = document.getElementById('status');
function say(text, bad) { status.textContent = text; status.className = bad ? 'bad' : 'ok'; }
function current() { const p = new URLSearchParams(location.search); if (!p.get('view')) p.set('view', 'matrix'); return p; }
async function show(params, push) {
  if (!token) { main.textContent = 'Open the address seeqret ui printed (with its #token part).'; return; }
  const r = await fetch('/api/view?' + params.toString(), { headers: { 'X-Seeqret-Token': token } });
  const text = await r.text();
  if (!r.ok) { let e; try { e = JSON.parse(text); } catch { e = { message: text }; } main.textContent = ''; say(e.message + (e.fix ? ' — ' + e.fix : ''), true); return; }
  main.innerHTML = text;
  if (push) history.pushState(null, '', '/?' + params.toString());
  for (const a of document.querySelectorAll('nav a')) a.setAttribute('aria-current', a.dataset.nav === params.get('view') ? 'page' : 'false');
  main.dataset.view = params.get('view') || '';
  document.title = 'seeqret — ' + (params.get('view') || '');
}
async function post(name, body) {
  const r = await fetch('/api/action/' + name, { method: 'POST', headers: { 'X-Seeqret-Token': token, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const j = await r.json();
  if (!r.ok) throw new Error(j.code + ': ' + j.message + (j.fix ? ' — ' + j.fix : ''));
  return j;
}
document.addEventListener('click', async (ev) => {
  const a = ev.target.closest('a[href^="/?"]');
  if (a && !ev.ctrlKey && !ev.metaKey && !ev.shiftKey) { ev.preventDefault(); say('', false); await show(new URLSearchParams(a.getAttribute('href').slice(2)), true); main.focus(); return; }
  const b = ev.target.closest('button[data-reveal]');
  if (b) {
    ev.preventDefault();
    const slot = document.getElementById(b.getAttribute('aria-controls'));
    try {
      const j = await post('reveal', { app: b.dataset.app, env: b.dataset.env, key: b.dataset.key });
      const code = document.createElement('code'); code.className = 'revealed'; code.textContent = j.value;
      slot.replaceChildren(code);
      setTimeout(() => { code.remove(); }, j.hideMs);
    } catch (e) { say(e.message, true); }
  }
});
document.addEventListener('submit', async (ev) => {
  const f = ev.target.closest('form[data-action]');
  if (!f) { const g = ev.target.closest('form[data-get]'); if (g) { ev.preventDefault(); const p = new URLSearchParams(new FormData(g)); await show(p, true); } return; }
  ev.preventDefault();
  if (f.dataset.confirm && !confirm(f.dataset.confirm)) return;
  const body = {};
  for (const [k, v] of new FormData(f)) body[k] = String(v);
  try {
    const j = await post(f.dataset.action, body);
    f.reset();
    await show(j.view ? new URLSearchParams(j.view) : current(), Boolean(j.view));
    say(j.message, false);
  } catch (e) { say(e.message, true); }
});
window.addEventListener('popstate', () => { void show(current(), false); });
void show(current(), false);
`;

/** The style sheet. */
export const APP_CSS = `:root{color-scheme:light dark;font:15px/1.4 system-ui,sans-serif}
body{margin:0}
header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;padding:.6rem 1rem;border-bottom:1px solid #8884}
nav{display:flex;flex-wrap:wrap;gap:.25rem}
nav a{padding:.3rem .6rem;border-radius:.3rem;text-decoration:none}
nav a[aria-current=page]{background:#36c;color:#fff}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,main:focus-visible{outline:3px solid #f90;outline-offset:1px}
main{padding:0 1rem 2rem}
#status{margin:.4rem 1rem;min-height:1.2em}
#status.bad{color:#c22}
#status.ok{color:#282}
.scroll{overflow:auto;max-height:75vh;max-width:100%}
table{border-collapse:collapse;font-size:.9rem}
th,td{border-bottom:1px solid #8883;padding:.2rem .45rem;text-align:left;vertical-align:top}
thead th{position:sticky;top:0;background:Canvas;z-index:1}
th.group{background:#8882;font-weight:600}
td.cur{color:#282}
td.old{color:#b60;font-weight:600}
td.miss{color:#c22}
td.diff{color:#b60;font-weight:600}
th.removed,td.removed{background:#c221}
.badge{display:inline-block;padding:.05rem .4rem;border-radius:.6rem;font-size:.8rem;border:1px solid currentColor}
.badge.ok{color:#282}
.badge.bad{color:#c22}
form{margin:.6rem 0;display:flex;flex-wrap:wrap;gap:.4rem;align-items:end}
form.inline{display:inline-flex;margin:0}
label{display:flex;flex-direction:column;font-size:.85rem}
input,textarea,select,button{font:inherit}
code.revealed{background:#ff04;padding:0 .3rem;white-space:pre-wrap;word-break:break-all}
.muted{color:#888}
@media (max-width:700px){header{padding:.4rem}main{padding:0 .4rem 1rem}table{font-size:.8rem}}
`;
