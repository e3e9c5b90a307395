/**
 * The web UI's views (server-rendered HTML fragments) and actions, each a thin layer over the
 * library's use cases: the access matrix and rotation board (sharing/access), environments side by
 * side (vault/compare-envs), the audit timeline (vault/audit-report), secrets (vault/secret-ops),
 * people (sharing/people, sharing/introduction) and the inbox (sharing/inbox-files). Every text
 * from the vault or a sender is escaped ({@link esc}); no value is ever in a view — only the
 * `reveal` action returns one.
 *
 * @module
 */
import path from 'node:path';
import { SeeqretError } from '../errors.js';
import { parseFilter } from '../filter/index.js';
import { isoTime } from '../formats/output.js';
import { type Held, accessMatrix, rotationBoard, sharesOf } from '../sharing/access.js';
import { inboxFile, loadInboxFile, previewInbox } from '../sharing/inbox-files.js';
import { parseIntroduction } from '../sharing/introduction.js';
import { addPerson, removePerson, userFingerprint, verifyUserKey } from '../sharing/people.js';
import { auditRows } from '../vault/audit-report.js';
import { compareEnvironments } from '../vault/compare-envs.js';
import { addSecret, changeValues, revealOne, secretNamed, secretWithHistory, secretsToRemove } from '../vault/secret-ops.js';
import { printable } from '../util/text.js';
import { type SecretRecord, type Vault, secretLabel } from '../vault/vault.js';

/** What an action answers: a line for the person, the view to show next, a revealed value. */
export interface ActionResult {
  /** One line saying what was done. */
  readonly message: string;
  /** The view to show next (query text), when not the current one. */
  readonly view?: string;
  /** The value the person asked to see (`reveal` only). */
  readonly value?: string;
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text as HTML: markup characters as entities, control, bidi and zero-width characters escaped as
 * the terminal shows them (`printable`: a name or address from a sender cannot reorder or hide text).
 */
export function esc(text: string): string {
  return printable(text).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Rows per page in the long listings. */
export const PAGE = 200;

const q = (params: Record<string, string | number>): string => `/?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString()}`;
const link = (params: Record<string, string | number>, text: string): string => `<a href="${esc(q(params))}">${text}</a>`;
const secretLink = (s: { app: string; env: string; key: string }): string => link({ view: 'secret', app: s.app, env: s.env, key: s.key }, esc(secretLabel(s)));
const day = (ms: number | null): string => esc(isoTime(ms).slice(0, 10));

function pager(view: Record<string, string | number>, offset: number, total: number): string {
  if (total <= PAGE) return `<p class="muted">${String(total)} secrets</p>`;
  const parts = [`<p class="muted">${String(offset + 1)}–${String(Math.min(offset + PAGE, total))} of ${String(total)}</p><p>`];
  if (offset > 0) parts.push(link({ ...view, offset: Math.max(0, offset - PAGE) }, 'Previous'), ' ');
  if (offset + PAGE < total) parts.push(link({ ...view, offset: offset + PAGE }, 'Next'));
  parts.push('</p>');
  return parts.join('');
}

function searchForm(view: string, name: string, value: string, label: string, extra = ''): string {
  return `<form data-get role="search"><input type="hidden" name="view" value="${esc(view)}"><label>${label}<input name="${name}" value="${esc(value)}"></label>${extra}<button>Show</button></form>`;
}

function textFilter(text: string): ((s: SecretRecord) => boolean) | undefined {
  if (text.trim() === '') return undefined;
  const f = parseFilter(text.trim());
  return (s) => f.app.test(s.app) && f.env.test(s.env) && f.key.test(s.key);
}

function matrixView(v: Vault, p: URLSearchParams): string {
  const filterText = p.get('filter') ?? '';
  const offset = Math.max(0, Number(p.get('offset') ?? 0) || 0);
  const filter = textFilter(filterText);
  const m = accessMatrix(v, { offset, limit: PAGE, ...(filter ? { filter } : {}) });
  const head = m.columns.map((c) => `<th scope="col" class="${c.removed ? 'removed' : ''}">${esc(c.username)}${c.removed ? ' <span class="badge bad">removed</span>' : c.verified ? '' : ' <span class="badge">unverified</span>'}</th>`).join('');
  const out: string[] = [`<h1>Access</h1><p>Who received which version of each secret. <span class="muted">● current · ◐ older version · blank: never sent. A removed person's column shows what they could read.</span></p>`];
  out.push(searchForm('matrix', 'filter', filterText, 'Filter (app:env:key)'));
  out.push(`<div class="scroll"><table id="matrix"><thead><tr><th scope="col">secret</th><th scope="col">v</th>${head}</tr></thead><tbody>`);
  let group = '';
  const width = m.columns.length + 2;
  for (const row of m.rows) {
    const s = row.secret;
    const g = `${s.app}:${s.env}`;
    if (g !== group) {
      group = g;
      out.push(`<tr><th colspan="${String(width)}" class="group" scope="rowgroup">${esc(g)}</th></tr>`);
    }
    const cells = row.cells.map((c, i) => {
      const removed = m.columns[i]?.removed === true ? ' removed' : '';
      if (!c) return `<td class="${removed}"></td>`;
      return `<td class="${c.current ? 'cur' : 'old'}${removed}" title="v${String(c.version)} sent ${esc(isoTime(c.at))}">${c.current ? '●' : `◐ v${String(c.version)}`}</td>`;
    });
    out.push(`<tr><th scope="row">${secretLink(s)}${s.exposedAt !== null ? ' <span class="badge bad">exposed</span>' : ''}</th><td>${String(s.version)}</td>${cells.join('')}</tr>`);
  }
  out.push('</tbody></table></div>', pager({ view: 'matrix', filter: filterText }, offset, m.total));
  return out.join('');
}

function rotationView(v: Vault, p: URLSearchParams, now: number): string {
  const days = Math.max(1, Math.min(3650, Number(p.get('days') ?? 90) || 90));
  const b = rotationBoard(v, days, now);
  const section = (title: string, id: string, items: typeof b.exposed, why: (s: SecretRecord, outdated: readonly string[]) => string): string => {
    const rows = items.slice(0, 500).map((it) => `<tr><th scope="row">${secretLink(it.secret)}</th><td>${why(it.secret, it.outdated)}</td><td>${link({ view: 'secret', app: it.secret.app, env: it.secret.env, key: it.secret.key }, 'Edit value')}</td></tr>`);
    const more = items.length > 500 ? `<p class="muted">and ${String(items.length - 500)} more</p>` : '';
    return `<section aria-labelledby="${id}"><h2 id="${id}">${title} <span class="badge${items.length ? ' bad' : ' ok'}">${String(items.length)}</span></h2>${items.length ? `<div class="scroll"><table><tbody>${rows.join('')}</tbody></table></div>${more}` : '<p class="muted">None.</p>'}</section>`;
  };
  return [
    '<h1>Exposure and rotation</h1>',
    searchForm('rotation', 'days', String(days), 'Older than (days)'),
    section('Exposed', 'exposed', b.exposed, (s) => `exposed by ${esc(s.exposedBy ?? '?')} on ${day(s.exposedAt)} — change it (<code>seeqret rotate --exposed</code> or Edit value)`),
    section(`Not changed for ${String(days)} days`, 'old', b.old, (s) => `last changed ${day(s.updatedAt)}`),
    section('Holders with an outdated version', 'outdated', b.outdated, (_s, who) => `${esc(who.join(', '))} — send the update with the button below (relay), or <code>seeqret export</code>`),
    b.outdated.length > 0
      ? '<form data-action="push-updates" data-confirm="Send each changed secret to everyone who holds an older version, through the relay?"><button type="submit">Push the updates through the relay</button></form>'
      : '',
  ].join('');
}

function envsView(v: Vault, p: URLSearchParams): string {
  const app = p.get('app') ?? '';
  const all = compareEnvironments(v, app === '' ? undefined : app);
  const out = ['<h1>Environments side by side</h1><p class="muted">✓ present · ≠ another value than most environments · ✗ missing. Values are compared on the server and never shown here.</p>', searchForm('envs', 'app', app, 'Application')];
  for (const c of all) {
    if (c.envs.length < 2) continue;
    out.push(`<h2>${esc(c.app)}</h2><div class="scroll"><table><thead><tr><th scope="col">key</th>${c.envs.map((e) => `<th scope="col">${esc(e)}</th>`).join('')}</tr></thead><tbody>`);
    for (const r of c.rows) {
      const cells = r.cells.map((x) => (x === null ? '<td class="miss">✗ missing</td>' : x.different ? `<td class="diff">≠ ${esc(x.type)}</td>` : `<td class="cur">✓ ${esc(x.type)}</td>`));
      out.push(`<tr><th scope="row">${esc(r.key)}</th>${cells.join('')}</tr>`);
    }
    out.push('</tbody></table></div>');
  }
  if (out.length === 2) out.push('<p class="muted">No application has two environments.</p>');
  return out.join('');
}

function auditView(v: Vault, p: URLSearchParams, now: number): string {
  const user = p.get('user') ?? '';
  const action = p.get('action') ?? '';
  const secret = p.get('secret') ?? '';
  const check = v.verifyAudit();
  const badge = check.problem === null ? `<span class="badge ok" id="chain">chain verified: ${String(check.entries)} entries</span>` : `<span class="badge bad" id="chain">chain broken: ${esc(check.problem)}</span>`;
  const rows = auditRows(v, { ...(user ? { user } : {}), ...(action ? { action } : {}) }, false, now).filter((r) => secret === '' || (r.target ?? '').includes(secret));
  const shown = rows.slice(-500).reverse();
  const extra = `<label>Person<input name="user" value="${esc(user)}"></label><label>Action<input name="action" value="${esc(action)}"></label>`;
  return [
    `<h1>Audit timeline</h1><p>${badge}</p>`,
    searchForm('audit', 'secret', secret, 'Secret contains', extra),
    `<p class="muted">${String(rows.length)} entries${rows.length > 500 ? ', the newest 500 shown' : ''}</p>`,
    '<div class="scroll"><table><thead><tr><th scope="col">time</th><th scope="col">actor</th><th scope="col">action</th><th scope="col">target</th><th scope="col">detail</th></tr></thead><tbody>',
    ...shown.map((r) => `<tr><td>${esc(r.time)}</td><td>${esc(r.actor)}</td><td>${esc(r.action)}</td><td>${esc(r.target ?? '')}</td><td>${esc(typeof r.detail === 'string' ? r.detail : JSON.stringify(r.detail))}</td></tr>`),
    '</tbody></table></div>',
  ].join('');
}

function revealButton(s: SecretRecord, slot: string): string {
  return `<button type="button" data-reveal data-app="${esc(s.app)}" data-env="${esc(s.env)}" data-key="${esc(s.key)}" aria-controls="${slot}">Reveal</button> <span id="${slot}" aria-live="polite"></span>`;
}

function secretsView(v: Vault, p: URLSearchParams): string {
  const filterText = p.get('filter') ?? '';
  const offset = Math.max(0, Number(p.get('offset') ?? 0) || 0);
  const filter = textFilter(filterText);
  const all = (filter ? v.all().filter(filter) : v.all()).sort((a, b) => (secretLabel(a) < secretLabel(b) ? -1 : 1));
  const page = all.slice(offset, offset + PAGE);
  const add = `<details><summary>Add a secret</summary><form data-action="add-secret"><label>App<input name="app" value="*" required></label><label>Env<input name="env" value="*" required></label><label>Key<input name="key" required></label><label>Type<input name="type" value="str"></label><label>Value<textarea name="value" rows="1" required autocomplete="off" spellcheck="false"></textarea></label><label><span>Replace</span><input type="checkbox" name="replace" value="1"></label><button>Add</button></form></details>`;
  return [
    '<h1>Secrets</h1>',
    searchForm('secrets', 'filter', filterText, 'Filter (app:env:key)'),
    add,
    '<div class="scroll"><table id="secrets"><thead><tr><th scope="col">secret</th><th scope="col">type</th><th scope="col">v</th><th scope="col">changed</th><th scope="col">value</th></tr></thead><tbody>',
    ...page.map((s, i) => `<tr><th scope="row">${secretLink(s)}${s.exposedAt !== null ? ' <span class="badge bad">exposed</span>' : ''}${s.pending ? ' <span class="badge">pending</span>' : ''}</th><td>${esc(s.type)}</td><td>${String(s.version)}</td><td>${day(s.updatedAt)}</td><td>${revealButton(s, `r${String(i)}`)}</td></tr>`),
    '</tbody></table></div>',
    pager({ view: 'secrets', filter: filterText }, offset, all.length),
  ].join('');
}

function secretView(v: Vault, p: URLSearchParams): string {
  const { secret: s, history } = secretWithHistory(v, p.get('app') ?? '', p.get('env') ?? '', p.get('key') ?? '');
  const hidden = `<input type="hidden" name="app" value="${esc(s.app)}"><input type="hidden" name="env" value="${esc(s.env)}"><input type="hidden" name="key" value="${esc(s.key)}">`;
  return [
    `<h1>${esc(secretLabel(s))}</h1><p>type ${esc(s.type)}, version ${String(s.version)}, changed ${esc(isoTime(s.updatedAt))}${s.exposedAt !== null ? ` — <span class="badge bad">exposed by ${esc(s.exposedBy ?? '?')}</span>` : ''}</p>`,
    `<p>${revealButton(s, 'r-one')}</p>`,
    `<form data-action="edit-secret">${hidden}<label>New value<textarea name="value" rows="2" required autocomplete="off" spellcheck="false"></textarea></label><button>Save (the old value goes to history)</button></form>`,
    '<h2>History</h2><table><thead><tr><th scope="col">version</th><th scope="col">type</th><th scope="col">set</th><th scope="col">replaced</th></tr></thead><tbody>',
    ...history.map((h) => `<tr><td>${String(h.version)}</td><td>${esc(h.type)}</td><td>${esc(isoTime(h.setAt))}</td><td>${esc(isoTime(h.replacedAt))}</td></tr>`),
    '</tbody></table>',
    `<form data-action="remove-secret" data-confirm="Delete ${esc(secretLabel(s))}?">${hidden}<button>Remove this secret</button></form>`,
  ].join('');
}

function peopleView(v: Vault): string {
  const held = sharesOf(v);
  const rows = v.users().map((u) => {
    const n = held.get(u.username)?.size ?? 0;
    const actions = u.isOwner
      ? '<td class="muted">owner</td>'
      : `<td>${u.verifiedAt === null ? `<form class="inline" data-action="verify-person"><input type="hidden" name="name" value="${esc(u.username)}"><label>Digits they read<input name="fingerprint" required inputmode="numeric"></label><button>Verify</button></form>` : ''} ${link({ view: 'person', name: u.username }, 'Remove…')}</td>`;
    return `<tr><th scope="row">${esc(u.username)}</th><td>${esc(u.email ?? '')}</td><td><code>${esc(userFingerprint(u))}</code></td><td>${u.verifiedAt === null ? '<span class="badge bad">unverified</span>' : `<span class="badge ok">verified ${day(u.verifiedAt)}</span>`}</td><td>${String(n)}</td>${actions}</tr>`;
  });
  return [
    '<h1>People and servers</h1>',
    '<form data-action="add-person"><label>Introduction line (from <code>seeqret introduction</code>)<textarea name="line" rows="2" cols="70" required spellcheck="false"></textarea></label><button>Add</button></form>',
    '<div class="scroll"><table id="people"><thead><tr><th scope="col">name</th><th scope="col">e-mail</th><th scope="col">fingerprint</th><th scope="col">key</th><th scope="col">secrets received</th><th scope="col">actions</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table></div>',
  ].join('');
}

/** What removing `name` would expose: the secrets whose current value they received. */
function wouldExpose(v: Vault, name: string): { received: number; exposed: SecretRecord[] } {
  const mine = sharesOf(v).get(name) ?? new Map<string, Held>();
  const exposed: SecretRecord[] = [];
  for (const cur of v.all()) {
    const h = mine.get(secretLabel(cur));
    if (h && cur.version <= h.version && cur.createdAt <= h.at) exposed.push(cur);
  }
  return { received: mine.size, exposed };
}

function personView(v: Vault, p: URLSearchParams): string {
  const name = p.get('name') ?? '';
  const u = v.user(name);
  const w = wouldExpose(v, u.username);
  return [
    `<h1>Remove ${esc(u.username)}</h1><p>They received ${String(w.received)} secrets; removing them marks ${String(w.exposed.length)} current values exposed (they could read them):</p>`,
    `<ul>${w.exposed.slice(0, 200).map((s) => `<li>${esc(secretLabel(s))}</li>`).join('')}${w.exposed.length > 200 ? `<li>… ${String(w.exposed.length - 200)} more</li>` : ''}</ul>`,
    `<form data-action="remove-person" data-confirm="Remove ${esc(u.username)}?"><input type="hidden" name="name" value="${esc(u.username)}"><button>Remove ${esc(u.username)}</button></form>`,
  ].join('');
}

/** The folder inbox of a vault. */
export function inboxDir(v: Vault): string {
  return path.join(v.dir, 'inbox');
}

function inboxView(v: Vault): string {
  const files = previewInbox(v, inboxDir(v), { allowOldFormats: false });
  const out = [`<h1>Inbox</h1><p class="muted">Bundles waiting in ${esc(inboxDir(v))}. New names stay pending until you accept them (<code>seeqret accept</code>).</p>`];
  if (files.length === 0) out.push('<p>No bundles waiting.</p>');
  for (const f of files) {
    out.push(`<section><h2>${esc(f.file)}</h2>`);
    if (f.error) out.push(`<p class="bad">${esc(f.error.code)}: ${esc(f.error.message)}</p>`);
    else {
      out.push(`<p>from ${esc(f.sender ?? '?')}: ${String(f.names?.length ?? 0)} secrets</p><ul>${(f.names ?? []).slice(0, 100).map((n) => `<li>${esc(secretLabel(n))} — ${esc(n.outcome)}</li>`).join('')}</ul>`);
      out.push(`<form data-action="load-inbox"><input type="hidden" name="file" value="${esc(f.file)}"><button>Load ${esc(f.file)}</button></form>`);
    }
    out.push('</section>');
  }
  return out.join('');
}

/** The HTML of the view `p.get('view')` (default the access matrix). */
export function renderView(v: Vault, p: URLSearchParams, now: number): string {
  switch (p.get('view') ?? 'matrix') {
    case 'matrix':
      return matrixView(v, p);
    case 'rotation':
      return rotationView(v, p, now);
    case 'envs':
      return envsView(v, p);
    case 'audit':
      return auditView(v, p, now);
    case 'secrets':
      return secretsView(v, p);
    case 'secret':
      return secretView(v, p);
    case 'people':
      return peopleView(v);
    case 'person':
      return personView(v, p);
    case 'inbox':
      return inboxView(v);
    default:
      throw new SeeqretError('E_USAGE', 'no such view', 'Use the links of the UI.');
  }
}

function field(f: ReadonlyMap<string, string>, name: string): string {
  const x = f.get(name);
  if (x === undefined) throw new SeeqretError('E_USAGE', `the request has no ${name}`, 'Use the UI.');
  return x;
}

/** Run the action `name` with the form's `fields`. */
export async function runAction(v: Vault, name: string, f: ReadonlyMap<string, string>): Promise<ActionResult> {
  const notes: string[] = [];
  const collect = { info: (t: string) => void notes.push(t), warn: (t: string) => void notes.push(`warning: ${t}`) };
  switch (name) {
    case 'reveal': {
      const s = secretNamed(v, field(f, 'app'), field(f, 'env'), field(f, 'key'));
      return { message: `Shown ${secretLabel(s)} (recorded in the audit log)`, value: revealOne(v, s, 'ui') };
    }
    case 'add-secret': {
      const r = { app: field(f, 'app'), env: field(f, 'env'), key: field(f, 'key') };
      const outcome = addSecret(v, { ...r, value: field(f, 'value'), type: f.get('type') || 'str', replace: f.get('replace') === '1', allowEmpty: false });
      return { message: `${outcome === 'added' ? 'Added' : outcome === 'updated' ? 'Updated' : 'Unchanged'} ${secretLabel(r)}` };
    }
    case 'edit-secret': {
      const s = secretNamed(v, field(f, 'app'), field(f, 'env'), field(f, 'key'));
      const n = changeValues(v, [s], field(f, 'value'), false);
      return { message: n ? `Updated ${secretLabel(s)} (the previous value is kept in history)` : `Unchanged ${secretLabel(s)} (same value)` };
    }
    case 'remove-secret': {
      const s = secretNamed(v, field(f, 'app'), field(f, 'env'), field(f, 'key'));
      const n = v.remove(secretsToRemove(v, parseFilter(secretLabel(s)), false).filter((r) => r.id === s.id));
      return { message: `Deleted ${String(n)} secret (${secretLabel(s)})`, view: 'view=secrets' };
    }
    case 'add-person': {
      const who = parseIntroduction(field(f, 'line'));
      addPerson(v, { username: who.username, email: who.email, name: who.name, publicKey: who.publicKey, replace: false }, collect);
      return { message: notes.join(' ') };
    }
    case 'verify-person': {
      await verifyUserKey(v, field(f, 'name'), { given: field(f, 'fingerprint') }, collect);
      return { message: notes.join(' ') };
    }
    case 'remove-person': {
      const r = await removePerson(v, field(f, 'name'), {}, collect);
      return { message: `${notes.join(' ')} They had received ${String(r.received.length)} secrets; ${String(r.exposed.length)} current values are now marked exposed (see Rotation).`, view: 'view=rotation' };
    }
    case 'load-inbox': {
      const file = inboxFile(inboxDir(v), field(f, 'file'));
      const r = loadInboxFile(v, file, { overwrite: false, allowOldFormats: false }, collect);
      if (!r) throw new SeeqretError('E_FILE_NOT_FOUND', 'the file is no longer a plain file', 'Reload the inbox view.');
      const s = r.summary;
      return { message: `Loaded from ${r.sender}: ${String(s.added)} added, ${String(s.updated)} updated, ${String(s.skipped)} skipped, ${String(s.unchanged)} unchanged; ${String(r.pending.length)} new names pending (seeqret accept). ${notes.join(' ')}` };
    }
    case 'push-updates': {
      // `seeqret push --updates` (the relay client is loaded only for this action).
      const [{ joinedClient }, { pushUpdates }] = await Promise.all([import('../relay/joined.js'), import('../relay/usecases.js')]);
      const u = await pushUpdates(v, await joinedClient(v));
      const sent = u.results.flatMap((r) => r.sent.map((x) => `${String(r.plan.records.length)} to ${x.recipient}`));
      const skipped = u.skipped.map((x) => `${x.username} (not a relay member: seeqret relay invite ${x.username})`);
      const message = sent.length === 0 && skipped.length === 0 ? 'Everyone has the current version of everything they hold: nothing to send.' : [sent.length > 0 ? `Sent through the relay: ${sent.join(', ')}.` : '', skipped.length > 0 ? `Skipped ${skipped.join(', ')}.` : ''].filter((t) => t !== '').join(' ');
      return { message: printable(message), view: 'view=rotation' };
    }
    default:
      throw new SeeqretError('E_USAGE', 'no such action', 'Use the UI.');
  }
}
