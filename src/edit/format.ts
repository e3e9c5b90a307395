/**
 * The file `seeqret edit -f FILTER` opens in the editor: the matched secrets as dotenv sections,
 * one `[app:env]` header line per application and environment (`[*:*]` for global secrets), then
 * `KEY=value` lines quoted as dotenv quotes them. Parsing reads it back to `app:env:key` → value,
 * and {@link diffEdit} says what was added, changed and removed.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { formatDotenv, parseDotenv } from '../formats/dotenv.js';

/** One secret as the file shows it. */
export interface EditEntry {
  readonly app: string;
  readonly env: string;
  readonly key: string;
  readonly value: string;
}

const HEADER_RE = /^\[([^\]:\s]+):([^\]:\s]+)\]\s*$/;

/** `app:env:key`. */
export function entryName(e: { app: string; env: string; key: string }): string {
  return `${e.app}:${e.env}:${e.key}`;
}

/** The file's text: a comment saying how it works, then one section per app and env. */
export function renderEdit(entries: readonly EditEntry[], filterText: string): string {
  const lines = [
    `# seeqret edit -f ${filterText}`,
    '# Change values, add KEY=value lines, delete lines to remove secrets; save and close to apply.',
    '# Sections [app:env] ([*:*] = global) say where the keys below them belong.',
  ];
  const sections = new Map<string, EditEntry[]>();
  for (const e of entries) {
    const s = `${e.app}:${e.env}`;
    const list = sections.get(s) ?? [];
    list.push(e);
    sections.set(s, list);
  }
  if (sections.size === 0) lines.push('', '[*:*]');
  for (const [s, list] of sections) lines.push('', `[${s}]`, formatDotenv(list).replace(/\n$/, ''));
  return `${lines.join('\n')}\n`;
}

/** Read the edited file back; `E_DOTENV_SYNTAX` for a malformed line, `E_BAD_INPUT`-style duplicates as `E_DOTENV_SYNTAX`. */
export function parseEdit(text: string, source: string): EditEntry[] {
  const out: EditEntry[] = [];
  const seen = new Set<string>();
  let app: string | undefined;
  let env: string | undefined;
  let body: string[] = [];
  let bodyLine = 1;
  const flush = (): void => {
    if (body.length === 0) return;
    const entries = parseDotenv(body.join('\n'), source, { firstLine: bodyLine });
    if (entries.length > 0 && (app === undefined || env === undefined)) {
      throw new SeeqretError('E_DOTENV_SYNTAX', `${source}: KEY=value lines before the first [app:env] section`, 'Put a section line such as [*:*] or [myapp:dev] above them.');
    }
    for (const e of entries) {
      const entry = { app: app ?? '*', env: env ?? '*', key: e.key, value: e.value };
      const name = entryName(entry);
      if (seen.has(name)) throw new SeeqretError('E_DOTENV_SYNTAX', `${source}: ${name} is there twice`, 'Keep one line for each key in a section.');
      seen.add(name);
      out.push(entry);
    }
    body = [];
  };
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    const m = HEADER_RE.exec(line);
    if (m === null) {
      if (body.length === 0) bodyLine = i + 1;
      body.push(line);
      continue;
    }
    flush();
    app = m[1];
    env = m[2];
    bodyLine = i + 2;
  }
  flush();
  return out;
}

/** What an edit changes. */
export interface EditDiff {
  readonly added: EditEntry[];
  readonly changed: EditEntry[];
  /** Names (`app:env:key`) no longer in the file. */
  readonly removed: string[];
}

/** Compare the file as written (`before`) with the file as saved (`after`). */
export function diffEdit(before: readonly EditEntry[], after: readonly EditEntry[]): EditDiff {
  const old = new Map(before.map((e) => [entryName(e), e.value]));
  const kept = new Set<string>();
  const added: EditEntry[] = [];
  const changed: EditEntry[] = [];
  for (const e of after) {
    const name = entryName(e);
    const was = old.get(name);
    if (was === undefined) added.push(e);
    else {
      kept.add(name);
      if (was !== e.value) changed.push(e);
    }
  }
  const removed = [...old.keys()].filter((n) => !kept.has(n));
  return { added, changed, removed };
}
