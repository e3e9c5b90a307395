/**
 * The `env.template` format (compatible with seeqret v1), used to generate a `.env` file.
 *
 * ```text
 * @seeqret>=1.0          # optional, first non-blank line only
 * @dialect python        # optional: the reader `seeqret env` writes for (docs/formats.md)
 * # comments and blank lines are ignored
 * myapp:dev:DB_URL       # a filter: every match is written under its own key
 * API_KEY=myapp:prod:KEY # a rename: the one secret the filter matches is written as API_KEY
 * PORT=8080              # a constant (no colon in the right-hand side)
 * URL="http://x:1"       # a quoted constant: quotes stripped, content literal
 * ```
 *
 * Rules: CRLF is normalised and every line trimmed. `NAME="..."` / `NAME='...'` is a constant
 * (the closing quote must end the line). `NAME=rhs` is a rename when `rhs` contains a colon and a
 * constant otherwise (possibly empty). `NAME` must match `/^[A-Za-z_][A-Za-z0-9_]*$/`; spaces
 * around `=` are allowed. Any other line is a filter, kept as text for the caller to validate.
 * Note that the template format has no trailing comments: `#` only starts a comment at the
 * beginning of a line.
 *
 * @module
 */

import { SeeqretError } from '../errors.js';
import { type Dialect, checkDialect } from './dialects.js';

/** A version comparison operator allowed in `@seeqret` requirement lines. */
export type VersionOp = '>=' | '<=' | '==' | '!=' | '>' | '<';

/** One meaningful line of an `env.template`. */
export type TemplateLine =
  /** `NAME=value`, `NAME="value"` or `NAME='value'`: written out as is. */
  | { readonly kind: 'constant'; readonly name: string; readonly value: string; readonly line: number }
  /** A filter line: every matching secret is written under its own key. */
  | { readonly kind: 'filter'; readonly filter: string; readonly line: number }
  /** `NAME=filter` (the filter contains a colon): the matches are written as `NAME`. */
  | { readonly kind: 'rename'; readonly name: string; readonly filter: string; readonly line: number };

/** A parsed `env.template`. */
export interface EnvTemplate {
  /** The `@seeqret` version requirement, when the template has one. */
  readonly requirement?: { readonly op: VersionOp; readonly version: string; readonly line: number };
  /** The `@dialect NAME` line: which reader `seeqret env` writes the `.env` for. */
  readonly dialect?: { readonly name: Dialect; readonly line: number };
  /** Constants, filters and renames in file order (blank and comment lines dropped). */
  readonly lines: readonly TemplateLine[];
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VERSION_RE = /^[0-9]+(?:\.[0-9]+)*$/;
const REQUIREMENT_RE = /^@seeqret[ \t]*(>=|<=|==|!=|>|<)?[ \t]*(.*)$/;
const DIALECT_RE = /^@dialect(?:[ \t]+(.*))?$/;
const FIX_TEMPLATE = 'Fix that line of the template (see docs/formats.md#env-template).';

function templateError(source: string, line: number, what: string): SeeqretError {
  return new SeeqretError('E_TEMPLATE_SYNTAX', `${source}:${line}: ${what}`, FIX_TEMPLATE);
}

/**
 * Parse an `env.template`.
 *
 * @param text - The template contents.
 * @param source - File name used in error messages as `source:line` (default `env.template`).
 * @returns The optional version requirement and the template lines in order.
 * @throws SeeqretError `E_TEMPLATE_SYNTAX` for a malformed or misplaced `@` line, an unterminated
 *   quoted constant; `E_TEMPLATE_DUPLICATE` for a NAME defined twice by constants/renames. Messages never contain values.
 */
export function parseEnvTemplate(text: string, source = 'env.template'): EnvTemplate {
  let s = text.replace(/\r\n/g, '\n');
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  const rawLines = s.split('\n');

  let requirement: EnvTemplate['requirement'];
  let dialect: EnvTemplate['dialect'];
  const lines: TemplateLine[] = [];
  const defined = new Map<string, number>();
  let seenContent = false;

  for (let idx = 0; idx < rawLines.length; idx++) {
    const lineNo = idx + 1;
    const t = (rawLines[idx] as string).trim();
    if (t === '') continue;
    const first = !seenContent;
    seenContent = true;
    if (t.startsWith('#')) continue;

    if (t.startsWith('@')) {
      const d = DIALECT_RE.exec(t);
      if (d !== null) {
        if (dialect !== undefined) throw templateError(source, lineNo, `a second "@dialect" line (the first is line ${dialect.line})`);
        const name = (d[1] ?? '').trim();
        try {
          dialect = { name: checkDialect(name, `${source}:${lineNo}`), line: lineNo };
        } catch {
          throw templateError(source, lineNo, 'bad "@dialect": expected "@dialect node", "@dialect python", "@dialect compose" or "@dialect shell"');
        }
        continue;
      }
      const m = REQUIREMENT_RE.exec(t);
      if (m === null) {
        throw templateError(source, lineNo, 'unknown "@" directive (only "@seeqret>=VERSION" and "@dialect NAME" are allowed)');
      }
      if (!first) {
        throw templateError(source, lineNo, 'the "@seeqret" requirement must be the first non-blank line');
      }
      const version = (m[2] as string).trim();
      if (!VERSION_RE.test(version)) {
        throw templateError(
          source,
          lineNo,
          'bad "@seeqret" requirement: expected e.g. "@seeqret>=1.2" (operators >= <= == != > <)',
        );
      }
      requirement = { op: (m[1] as VersionOp | undefined) ?? '>=', version, line: lineNo };
      continue;
    }

    const eq = t.indexOf('=');
    const name = eq === -1 ? '' : t.slice(0, eq).trim();
    if (eq === -1 || !NAME_RE.test(name)) {
      lines.push({ kind: 'filter', filter: t, line: lineNo });
      continue;
    }

    const prev = defined.get(name);
    if (prev !== undefined) {
      throw new SeeqretError('E_TEMPLATE_DUPLICATE', `${source}:${lineNo}: ${name} defined twice (also on line ${prev})`, 'Keep one definition of each name.');
    }
    defined.set(name, lineNo);

    const rhs = t.slice(eq + 1).trim();
    const q = rhs[0];
    if (q === '"' || q === "'") {
      if (rhs.length < 2 || !rhs.endsWith(q)) {
        throw templateError(
          source,
          lineNo,
          `the quoted value of ${name} must end with a matching ${q} at the end of the line`,
        );
      }
      lines.push({ kind: 'constant', name, value: rhs.slice(1, -1), line: lineNo });
    } else if (rhs.includes(':')) {
      lines.push({ kind: 'rename', name, filter: rhs, line: lineNo });
    } else {
      lines.push({ kind: 'constant', name, value: rhs, line: lineNo });
    }
  }

  return { lines, ...(requirement === undefined ? {} : { requirement }), ...(dialect === undefined ? {} : { dialect }) };
}

function versionParts(v: string): string[] {
  if (!VERSION_RE.test(v)) {
    throw new SeeqretError(
      'E_TEMPLATE_SYNTAX',
      `bad version ${JSON.stringify(v)}: expected numbers separated by dots, e.g. 1.2.0`,
      'Write the version as numbers separated by dots, e.g. "@seeqret>=1.2".',
    );
  }
  return v.split('.').map((p) => p.replace(/^0+(?=.)/, ''));
}

/** Compare two non-negative decimal integers given as strings without leading zeros. */
function compareNumeric(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Numeric dotted-version comparison (`'1.10.0' > '1.9'`); missing parts are 0; non-numeric is
 * E_TEMPLATE_SYNTAX.
 *
 * Parts may be arbitrarily large; leading zeros are ignored (`01.2` equals `1.2`).
 *
 * @returns `-1` when `a < b`, `0` when equal, `1` when `a > b`.
 * @throws SeeqretError `E_TEMPLATE_SYNTAX` when either version is not `N(.N)*`.
 */
export function compareVersions(a: string, b: string): number {
  const pa = versionParts(a);
  const pb = versionParts(b);
  const len = Math.max(pa.length, pb.length);
  for (let k = 0; k < len; k++) {
    const c = compareNumeric(pa[k] ?? '0', pb[k] ?? '0');
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * Throws E_TEMPLATE_VERSION (`env.template requires seeqret >=2.0, this is 1.0.0`) when not
 * satisfied.
 *
 * A pre-release or build suffix on `current` (`1.0.0-beta.1`, `1.0.0+abc`) is ignored.
 *
 * @param req - The requirement from {@link parseEnvTemplate}.
 * @param current - The running seeqret version.
 * @throws SeeqretError `E_TEMPLATE_VERSION` when `current` does not satisfy `req`;
 *   `E_TEMPLATE_SYNTAX` when a version is not numeric.
 */
export function checkRequirement(req: NonNullable<EnvTemplate['requirement']>, current: string): void {
  const cur = current.replace(/[-+].*$/, '');
  const c = compareVersions(cur, req.version);
  let ok: boolean;
  switch (req.op) {
    case '>=':
      ok = c >= 0;
      break;
    case '<=':
      ok = c <= 0;
      break;
    case '==':
      ok = c === 0;
      break;
    case '!=':
      ok = c !== 0;
      break;
    case '>':
      ok = c > 0;
      break;
    case '<':
      ok = c < 0;
      break;
  }
  if (!ok) {
    throw new SeeqretError(
      'E_TEMPLATE_VERSION',
      `env.template requires seeqret ${req.op}${req.version}, this is ${current}`,
      req.op === '>=' || req.op === '>'
        ? 'Upgrade seeqret (npm install -g seeqret@latest), or use a template written for this version.'
        : 'Install a seeqret version that satisfies the requirement, or update the template.',
    );
  }
}
