/**
 * Turning filters and env.template files into environment entries (name → value), shared by
 * `seeqret env`, `seeqret run` and `seeqret/config`.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { readFileCapped } from '../util/read-capped.js';
import { type FieldPattern, type Filter, parseFilter } from '../filter/index.js';
import { checkRequirement, parseEnvTemplate } from '../formats/template.js';
import { VERSION } from '../version.js';
import { isCodeLoadingVariable } from './code-loading-variables.js';
import { type SecretRecord, type Vault, secretLabel } from '../vault/vault.js';

/**
 * True when exporting a variable named `name` could make programs run other code, load code or
 * trust other servers: the corpus in `code-loading-variables.ts` (docs/commands/env.md#loader-variables).
 */
export function isDangerousVariable(name: string): boolean {
  return isCodeLoadingVariable(name);
}

/**
 * Throw E_BAD_VALUE when a filter match would be exported as a code-loading variable: such a
 * variable is exported only by a template line that names it (`NAME=app:env:key` or a constant).
 */
export function refuseDangerous(name: string, s: SecretRecord): void {
  if (isDangerousVariable(name)) {
    throw new SeeqretError(
      'E_BAD_VALUE',
      `${secretLabel(s)} would set ${name}, which changes how programs load or run code; it is not exported through a filter`,
      `If you really mean it, name it on its own env.template line: ${name}=${secretLabel(s)}`,
    );
  }
}

/** The one name a filter field stands for read literally (`*` or empty = the global `*`), else undefined. */
function literalName(f: FieldPattern): string | undefined {
  if (f.any) return '*';
  return f.literals?.length === 1 ? f.literals[0] : undefined;
}

/** True when `filter` names `s` exactly: app, env and key each one literal name, equal to the secret's. */
export function namesExactly(filter: Filter, s: { app: string; env: string; key: string }): boolean {
  return literalName(filter.app) === s.app && literalName(filter.env) === s.env && literalName(filter.key) === s.key;
}

/**
 * Split filter matches into those that may be exported and the names received from someone else
 * that this person has not accepted yet and that the filter does not name exactly.
 */
export function withoutPending<T extends SecretRecord>(matches: readonly T[], filter: Filter): { kept: T[]; pending: T[] } {
  const kept: T[] = [];
  const pending: T[] = [];
  for (const m of matches) (m.pending && !namesExactly(filter, m) ? pending : kept).push(m);
  return { kept, pending };
}

/** The one warning line for received names a filter did not export (names only, never values). */
export function pendingWarning(pending: readonly SecretRecord[]): string[] {
  if (pending.length === 0) return [];
  const names = [...new Set(pending.map(secretLabel))];
  const shown = names.slice(0, 20).join(', ') + (names.length > 20 ? `, … (${names.length - 20} more)` : '');
  return [
    `not exported: ${names.length} name${names.length === 1 ? '' : 's'} received from someone else and not accepted yet: ${shown}; review them, then \`seeqret accept ${names.length === 1 ? names[0] : 'NAME…'}\` (or \`seeqret list --pending\`)`,
  ];
}

/** One variable to export. `secret` is set when the value came from the vault. */
export interface EnvEntry {
  /** The environment variable's name. */
  readonly name: string;
  /** Its value. */
  readonly value: string;
  /** The vault secret it came from (none for a constant). */
  readonly secret?: SecretRecord;
  /** True when env.template named the variable itself (a constant or NAME=filter), not a filter match. */
  readonly explicit?: boolean;
}

/** Result of resolving a template: entries in template order plus non-fatal warnings. */
export interface Resolved {
  /** The variables, in template order. */
  readonly entries: EnvEntry[];
  /** Non-fatal problems, one line each (names only, never values). */
  readonly warnings: string[];
}

/** Read an env.template file (E_FILE_NOT_FOUND with a hint when missing). */
export function readTemplateFile(file: string): string {
  try {
    return readFileCapped(file, 'template').toString('utf8');
  } catch (e) {
    if (e instanceof SeeqretError && e.code === 'E_TOO_LARGE') throw e;
    if (((e as SeeqretError).cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new SeeqretError('E_FILE_NOT_FOUND', `no env.template at ${file}`, 'Create it (see docs/commands/env.md), or name another file (--template FILE, or SEEQRET_TEMPLATE for seeqret/config).');
    }
    throw new SeeqretError('E_IO', `cannot read ${file}`, 'Check the file permissions.');
  }
}

/**
 * Resolve env.template text against the vault: constants as given, filter lines as every match
 * (named by its key), rename lines as exactly one match. A duplicate output name is an error,
 * naming both lines. Values are decrypted only after the whole template resolved without error.
 * Errors and warnings name the file, the line and at most a variable name, never the rest of a
 * line: a file that is not a template (SEEQRET_TEMPLATE or --template pointing at a .env, a key
 * file) must not have its content printed.
 */
export function resolveTemplate(vault: Vault, text: string, source = 'env.template'): Resolved {
  const tpl = parseEnvTemplate(text, source);
  const filterOn = (filter: string, line: number): Filter => {
    try {
      return parseFilter(filter);
    } catch (e) {
      if (!(e instanceof SeeqretError)) throw e;
      throw new SeeqretError('E_FILTER_SYNTAX', `${source}:${line}: not a filter (app:env:key), NAME=VALUE or NAME=app:env:key line`, e.fix);
    }
  };
  // No secret row removed, added or put back from an older copy (each value's row is checked when decrypted).
  vault.checkIntegrity(['secrets']);
  if (tpl.requirement) checkRequirement(tpl.requirement, VERSION);
  const warnings: string[] = [];
  const skipped: SecretRecord[] = [];
  const planned: Array<{ name: string; line: number; value?: string; secret?: SecretRecord; explicit: boolean }> = [];
  const seen = new Map<string, number>();
  const claim = (name: string, line: number): void => {
    const prev = seen.get(name);
    if (prev !== undefined) {
      throw new SeeqretError(
        'E_TEMPLATE_DUPLICATE',
        `${source}:${line}: ${name} is already produced by line ${prev}`,
        'Make the filters select disjoint keys, or rename one with NAME=app:env:key.',
      );
    }
    seen.set(name, line);
  };
  for (const l of tpl.lines) {
    if (l.kind === 'constant') {
      claim(l.name, l.line);
      planned.push({ name: l.name, line: l.line, value: l.value, explicit: true });
    } else if (l.kind === 'rename') {
      const filter = filterOn(l.filter, l.line);
      const { kept: matches, pending } = withoutPending(vault.find([filter]), filter);
      const only = matches[0];
      if (only === undefined) {
        const firstPending = pending[0];
        if (firstPending !== undefined) {
          throw new SeeqretError(
            'E_TEMPLATE_UNMATCHED',
            `${source}:${l.line}: the filter of ${l.name}= matches only names received from someone else and not accepted yet: ${pending.slice(0, 10).map(secretLabel).join(', ')}`,
            `Review them, then \`seeqret accept ${secretLabel(firstPending)}\`, or name the secret exactly (app:env:key).`,
          );
        }
        throw new SeeqretError('E_TEMPLATE_UNMATCHED', `${source}:${l.line}: the filter of ${l.name}= matches no secret`, 'Add the secret (seeqret add key) or fix the filter.');
      }
      if (matches.length > 1) {
        throw new SeeqretError(
          'E_AMBIGUOUS',
          `${source}:${l.line}: the filter of ${l.name}= matches ${matches.length} secrets: ${matches.slice(0, 10).map(secretLabel).join(', ')}`,
          'Make the filter name exactly one secret, e.g. myapp:dev:KEY.',
        );
      }
      claim(l.name, l.line);
      planned.push({ name: l.name, line: l.line, secret: only, explicit: true });
    } else {
      const filter = filterOn(l.filter, l.line);
      const found = vault.find([filter]);
      const { kept: matches, pending } = withoutPending(found, filter);
      skipped.push(...pending);
      if (found.length === 0) warnings.push(`${source}:${l.line}: the filter on this line matches no secret`);
      for (const m of matches) {
        refuseDangerous(m.key, m);
        claim(m.key, l.line);
        planned.push({ name: m.key, line: l.line, secret: m, explicit: false });
      }
    }
  }
  const secrets = planned.flatMap((p) => (p.secret ? [p.secret] : []));
  const values = new Map(vault.revealMany(secrets).map((value, i) => [secrets[i], value]));
  const entries = planned.map((p) =>
    p.secret ? { name: p.name, value: values.get(p.secret) ?? '', secret: p.secret, explicit: p.explicit } : { name: p.name, value: p.value ?? '', explicit: true },
  );
  return { entries, warnings: [...warnings, ...pendingWarning(skipped)] };
}

/**
 * Resolve a union of filter strings into entries named by key (with an optional prefix).
 * Two matches with the same name are an error listing both.
 */
export function resolveFilters(vault: Vault, filters: readonly string[], prefix = ''): Resolved {
  vault.checkIntegrity(['secrets']);
  const parsed = filters.map((f) => parseFilter(f));
  const found = vault.find(parsed);
  // A received name not accepted yet is exported only by a filter that names it exactly.
  const matches = found.filter((m) => !m.pending || parsed.some((f) => namesExactly(f, m)));
  const skipped = found.filter((m) => !matches.includes(m));
  const byName = new Map<string, SecretRecord>();
  for (const m of matches) {
    const name = prefix + m.key;
    refuseDangerous(name, m);
    const prev = byName.get(name);
    if (prev) {
      throw new SeeqretError('E_AMBIGUOUS', `both ${secretLabel(prev)} and ${secretLabel(m)} would be exported as ${name}`, 'Narrow the filter to one app and env, e.g. -f myapp:dev:.');
    }
    byName.set(name, m);
  }
  const warnings = [...(found.length === 0 ? [`filter ${filters.map((f) => `'${f}'`).join(', ')} matches no secret`] : []), ...pendingWarning(skipped)];
  const chosen = Array.from(byName);
  const values = vault.revealMany(chosen.map(([, secret]) => secret));
  return { entries: chosen.map(([name, secret], i) => ({ name, value: values[i] ?? '', secret })), warnings };
}
