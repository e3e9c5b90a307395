/**
 * Variable descriptions in psec's drop-in format: one file per *group* in a `secrets.d/` folder,
 * each a list of entries describing one variable.
 *
 * ```json
 * [
 *   {
 *     "Variable": "jenkins_admin_password",
 *     "Type": "password",
 *     "Prompt": "Password for Jenkins 'admin' account",
 *     "Export": "JENKINS_ADMIN_PASSWORD"
 *   }
 * ]
 * ```
 *
 * Rules (see docs/project.md, "Description files"):
 *
 * - A `.json` file is a JSON array of objects, exactly as psec writes it; `{}` (what
 *   `psec groups create` writes for an empty group) is an empty group. A `.yaml`/`.yml` file is a
 *   YAML 1.2 sequence of mappings with the same keys; an empty document is an empty group.
 *   Any other extension is read as JSON. A leading UTF-8 BOM is ignored.
 * - The group name is the file's base name without its extension; it may not be empty or contain
 *   `.` (psec's rule) nor any character a key name may not contain.
 * - Attributes are exactly `Variable` (required, a valid key name), `Type` (required, one of
 *   {@link SECRET_TYPES}), `Prompt`, `Options` (see {@link parseOptions}), `Export` (an environment
 *   variable name, `/^[A-Za-z_][A-Za-z0-9_]*$/`), `Help` and `Group`. Names are case-sensitive.
 *   Every attribute value is a string; `null` for an optional attribute means "absent" (psec
 *   reads such files). Any other attribute, or an attribute given twice in one entry, is an error.
 * - `Options` is allowed on every type (psec allows it; on a generable type it only matters when
 *   the value is set by hand). On a `boolean` it may only list `true`/`false` (no `*`), on an
 *   `int` only integers and `*`.
 * - `Group` is accepted and ignored: the file name decides the group. psec's
 *   `groups create NEW --clone-from OLD.json` copies entries verbatim, so a `Group` that disagrees
 *   with the file name occurs in real psec folders; psec's own `groups list`/`show` go by file name.
 * - A variable may be described once: a second entry for it, in the same file or in another file
 *   of the folder, is an error naming both places. Two entries may share an `Export` name (psec's
 *   own sample `myapp.json` does).
 *
 * Errors are {@link SeeqretError} `E_BAD_VALUE` with one-line messages that name the file and the
 * entry (`secrets.d/db.json entry 3 (DB_HOST): unknown attribute "Foo"`, entries counted from 1)
 * and never quote file contents beyond names; {@link validateValue} never includes the value.
 *
 * @module
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { SeeqretError } from '../errors.js';
import { ioError } from '../util/fs.js';
import { readTextFileCapped } from '../util/read-capped.js';
import { printable } from '../util/text.js';
import { isWellFormed, nameProblem } from '../vault/names.js';

/**
 * The secret types a description's `Type` may name, in the order `describe --types` lists them.
 *
 * `generable` is true when seeqret can produce a value of the type by itself:
 *
 * | name | value |
 * |---|---|
 * | `password` | xkcd-style passphrase: 6 EFF words joined with `.` (psec's style: 4 words spelling a word) |
 * | `token_hex` | 32 random bytes as 64 hex characters |
 * | `token_urlsafe` | 32 random bytes, URL-safe base64 without padding (43 characters) |
 * | `token_base64` | 32 random bytes, standard base64 (44 characters) |
 * | `random_base64` | 18 random bytes, standard base64 (24 characters; psec's size) |
 * | `uuid4` | a random (version 4) UUID |
 * | `crypt_6` | SHA-512 crypt (`$6$salt$…`) of a generated or given password |
 * | `sha256_digest` | base64(SHA-256(`user:password`)) of a generated or given password |
 * | `random` | random characters, including at least one of each required character class |
 * | `boolean` | not generable: exactly `true` or `false` |
 * | `string` | not generable: any text, set by hand |
 * | `int` | not generable: an integer (optional sign, ASCII digits), set by hand (generated only when named) |
 */
export const SECRET_TYPES: readonly { readonly name: string; readonly description: string; readonly generable: boolean }[] =
  Object.freeze(
    [
      { name: 'password', description: 'xkcd-style passphrase from the EFF list: 6 words joined with "." (68.9 bits; psec style: --words 4 --acrostic)', generable: true },
      { name: 'token_hex', description: '32 random bytes as 64 hex characters', generable: true },
      { name: 'token_urlsafe', description: '32 random bytes, URL-safe base64 without padding (43 characters)', generable: true },
      { name: 'token_base64', description: '32 random bytes, standard base64 (44 characters)', generable: true },
      { name: 'random_base64', description: '18 random bytes, standard base64 (24 characters)', generable: true },
      { name: 'uuid4', description: 'a random (version 4) UUID', generable: true },
      { name: 'crypt_6', description: 'SHA-512 crypt ("$6$salt$...") of the password generated in the same run, or of --from VAR', generable: true },
      { name: 'sha256_digest', description: 'base64(SHA-256("user:password")) of the password generated in the same run, or of --from VAR (needs --user)', generable: true },
      { name: 'random', description: 'random characters, at least one of each required character class', generable: true },
      { name: 'boolean', description: '"true" or "false", set by hand', generable: false },
      { name: 'string', description: 'any text, set by hand', generable: false },
      { name: 'int', description: 'an integer (optional sign and ASCII digits), set by hand; generated only when named (--min/--max)', generable: false },
    ].map((t) => Object.freeze(t)),
  );

const TYPE_NAMES: ReadonlySet<string> = new Set(SECRET_TYPES.map((t) => t.name));
const KNOWN_TYPES_TEXT = SECRET_TYPES.map((t) => t.name).join(', ');

/** The attributes a description entry may have, in the order {@link serializeGroup} writes them. */
const ATTRIBUTES = ['Variable', 'Type', 'Prompt', 'Options', 'Export', 'Help', 'Group'] as const;
type Attribute = (typeof ATTRIBUTES)[number];
const ATTRIBUTE_SET: ReadonlySet<string> = new Set(ATTRIBUTES);

/** Names accepted for `Export` (and the only names a POSIX shell can export). */
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** What `int` accepts: an optional sign and ASCII digits. */
const INT_RE = /^[+-]?[0-9]+$/;

/** The parsed `Options` attribute of a description. */
export interface Options {
  /** The listed values other than `*`, in file order, without duplicates (trimmed). */
  readonly choices: readonly string[];
  /** True when `*` is listed (or there is no list): any value is accepted, not only `choices`. */
  readonly freeText: boolean;
  /** The first entry when it is not `*` (then `choices[0]`), else `undefined` (psec's rule). */
  readonly default: string | undefined;
}

/** Why `text` is not a usable `Options` for `type`, or the parsed options. */
function analyseOptions(text: string, type: string): Options | string {
  const t = text.trim();
  if (t === '') {
    return type === 'boolean'
      ? { choices: ['true', 'false'], freeText: false, default: 'true' }
      : { choices: [], freeText: true, default: undefined };
  }
  const choices: string[] = [];
  let freeText = false;
  for (const raw of t.split(',')) {
    const entry = raw.trim();
    if (entry === '') return 'Options has an empty entry (two commas in a row, or a comma at either end)';
    if (entry === '*') {
      freeText = true;
      continue;
    }
    if (type === 'boolean' && entry !== 'true' && entry !== 'false') {
      return "Options of a boolean may only list 'true' and 'false'";
    }
    if (type === 'int' && !INT_RE.test(entry)) return 'Options of an int may only list integers (and *)';
    if (!choices.includes(entry)) choices.push(entry);
  }
  if (type === 'boolean' && freeText) return "Options of a boolean cannot include '*' (the value must be 'true' or 'false')";
  // psec's rule: the first entry is the default unless it is '*' ('*,a' has no default).
  const first = t.split(',')[0]!.trim();
  return { choices, freeText, default: first === '*' ? undefined : first };
}

/**
 * Parse psec's `Options` attribute: a comma-separated list.
 *
 * - `*` alone: any value; `a,b`: only `a` or `b`; `a,*`: `a` or any other value.
 * - Entries are trimmed; duplicates are dropped (the first occurrence keeps its place).
 * - The default is the first entry, unless it is `*` (`*,a` has no default), as in psec.
 * - Empty or blank `text` means "no Options": `true,false` for a `boolean`, `*` for any other type.
 *
 * @param text - The attribute as written.
 * @param type - The description's `Type`; `boolean` and `int` constrain the entries.
 * @returns The choices, whether free text is allowed, and the default.
 * @throws SeeqretError `E_BAD_VALUE` for an empty entry (`a,,b`, `a,`), a boolean entry other than
 *   `true`/`false` or `*` on a boolean, or a non-integer entry on an `int`.
 */
export function parseOptions(text: string, type: string): Options {
  const r = analyseOptions(text, type);
  if (typeof r === 'string') {
    throw new SeeqretError('E_BAD_VALUE', r, 'Write Options as a comma-separated list, e.g. "a,b" or "a,*".');
  }
  return r;
}

/** Options as psec writes them: the default first, then the other choices, then `*` if free. */
function formatOptions(o: Options): string {
  if (o.default === undefined) return (o.freeText ? ['*', ...o.choices] : [...o.choices]).join(',');
  const choices = [o.default, ...o.choices.filter((c) => c !== o.default)];
  if (o.freeText) choices.push('*');
  return choices.join(',');
}

/** One variable described by an entry of a group file. */
export interface VariableDescription {
  /** `Variable`: the key name (a valid seeqret key name). */
  readonly variable: string;
  /** `Type`: one of {@link SECRET_TYPES}. */
  readonly type: string;
  /** `Prompt`: text shown when asking for the value. */
  readonly prompt?: string;
  /**
   * The effective options: parsed from `Options`, or the type's default when there is none
   * (`true,false` for `boolean`, `*` otherwise). {@link parseGroupText} always sets it; code
   * building descriptions by hand may leave it out (then `optionsText`, or the default, applies).
   */
  readonly options?: Options;
  /** `Options` exactly as written in the file, when the entry has it. */
  readonly optionsText?: string;
  /** `Export`: an additional environment variable name for the value. */
  readonly export?: string;
  /** `Help`: a URL or text explaining the variable. */
  readonly help?: string;
  /** The group: the file's base name without extension. */
  readonly group: string;
  /** The file the entry was read from, as given to {@link parseGroupText}. */
  readonly source: string;
  /** Position of the entry in its file, from 0 (messages count entries from 1). */
  readonly index: number;
}

/** The descriptions read from one group file. */
export interface Group {
  /** The group name: the file's base name without extension. */
  readonly name: string;
  /** The file, as given to {@link parseGroupText} / found by {@link loadGroups}. */
  readonly file: string;
  /** The entries, in file order. */
  readonly variables: readonly VariableDescription[];
}

const FIX_ATTRIBUTES = 'Use only the attributes Variable, Type, Prompt, Options, Export, Help (and Group), spelled exactly so.';
const FIX_DUPLICATE = 'Describe each variable once: remove or rename one of the entries.';

function badValue(message: string, fix: string): SeeqretError {
  return new SeeqretError('E_BAD_VALUE', printable(message), fix);
}

/** A name from the file, made safe and short enough for a one-line message. */
function shown(name: string): string {
  const p = printable(name);
  return JSON.stringify(p.length > 60 ? `${p.slice(0, 60)}...` : p);
}

/** `yaml` for `.yaml`/`.yml` files (any case), `json` for anything else. */
function formatOf(file: string): 'json' | 'yaml' {
  const ext = path.extname(file).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? 'yaml' : 'json';
}

/** The group name of `file`: its base name without extension. */
function groupNameOf(file: string): string {
  const base = path.basename(file);
  const ext = path.extname(base);
  return ext === '' ? base : base.slice(0, -ext.length);
}

// ---------------------------------------------------------------------------------------------
// JSON: a small strict parser (RFC 8259) that keeps objects as Maps, reports duplicate keys and
// gives line/column positions without quoting the text.

class JsonSyntax extends Error {
  constructor(
    readonly reason: string,
    readonly pos: number,
  ) {
    super(reason);
  }
}

const MAX_DEPTH = 64;
const JSON_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

function parseJson(text: string): unknown {
  let i = 0;
  const ws = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    let run = i;
    for (;;) {
      if (i >= text.length) throw new JsonSyntax('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(run, i);
        i++;
        return out;
      }
      if (c < 0x20) throw new JsonSyntax('control character in a string (escape it)', i);
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(run, i);
      const e = text[i + 1];
      if (e !== undefined && Object.hasOwn(JSON_ESCAPES, e)) {
        out += JSON_ESCAPES[e];
        i += 2;
      } else if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        throw new JsonSyntax('invalid escape sequence in a string', i);
      }
      run = i;
    }
  };
  const value = (depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new JsonSyntax('nested too deeply', i);
    ws();
    if (i >= text.length) throw new JsonSyntax('unexpected end of text', i);
    const c = text[i];
    if (c === '{') {
      const map = new Map<string, unknown>();
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return map;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new JsonSyntax('expected a string key', i);
        const keyPos = i;
        const key = str();
        if (map.has(key)) throw new JsonSyntax(`key ${shown(key)} appears twice in one object`, keyPos);
        ws();
        if (text[i] !== ':') throw new JsonSyntax("expected ':' after a key", i);
        i++;
        map.set(key, value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return map;
        }
        throw new JsonSyntax("expected ',' or '}' in an object", i);
      }
    }
    if (c === '[') {
      const arr: unknown[] = [];
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        throw new JsonSyntax("expected ',' or ']' in an array", i);
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    NUMBER_RE.lastIndex = i;
    const m = NUMBER_RE.exec(text);
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    throw new JsonSyntax('unexpected character', i);
  };
  const v = value(0);
  ws();
  if (i < text.length) throw new JsonSyntax('unexpected text after the end of the value', i);
  return v;
}

function lineCol(text: string, pos: number): string {
  let line = 1;
  let last = -1;
  for (let k = 0; k < pos && k < text.length; k++) {
    if (text.charCodeAt(k) === 0x0a) {
      line++;
      last = k;
    }
  }
  return `line ${line}, column ${pos - last}`;
}

/**
 * Parse a JSON document strictly (RFC 8259): objects become `Map`s, a key repeated in one object is
 * an error, and errors give line and column without quoting the text. Used for psec's
 * `secrets.json` as well as the description files.
 *
 * @throws SeeqretError `E_BAD_VALUE` naming `file` and the position.
 */
export function parseJsonStrict(text: string, file: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return parseJson(body);
  } catch (e) {
    if (!(e instanceof JsonSyntax)) throw e;
    throw badValue(`${file}: not valid JSON at ${lineCol(body, e.pos)}: ${e.reason}`, 'Fix the JSON at that place.');
  }
}

// ---------------------------------------------------------------------------------------------
// YAML

const YAML_REASONS: Record<string, string> = {
  DUPLICATE_KEY: 'a key appears twice in one mapping',
  BAD_ALIAS: "an undefined alias (quote values that start with '*')",
  MULTIPLE_DOCS: 'more than one document',
  TAB_AS_INDENT: 'a tab used for indentation',
  BAD_INDENT: 'bad indentation',
  MISSING_CHAR: 'a missing character',
  UNEXPECTED_TOKEN: 'an unexpected token',
  BLOCK_AS_IMPLICIT_KEY: 'a block value used as a key',
  MULTILINE_IMPLICIT_KEY: 'a key spanning several lines',
  KEY_OVER_1024_CHARS: 'a key longer than 1024 characters',
};

function parseYaml(text: string, file: string): unknown {
  let doc: YAML.Document.Parsed;
  try {
    doc = YAML.parseDocument(text, { version: '1.2', schema: 'core', uniqueKeys: true, prettyErrors: true, strict: true });
  } catch {
    throw badValue(`${file}: not valid YAML`, 'Fix the YAML syntax of the file.');
  }
  const err = doc.errors[0];
  if (err) {
    const at = err.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : '';
    const reason = YAML_REASONS[err.code] ?? err.code.toLowerCase().replace(/_/g, ' ');
    throw badValue(
      `${file}: not valid YAML${where}: ${reason}`,
      "Fix the YAML at that place; quote values that start with '*', '&', '!' or contain ': '.",
    );
  }
  try {
    return doc.toJS({ mapAsMap: true, maxAliasCount: 100 });
  } catch {
    throw badValue(
      `${file}: a YAML alias is undefined or expands too much`,
      "Quote values that start with '*' or '&' (YAML reads them as aliases and anchors).",
    );
  }
}

// ---------------------------------------------------------------------------------------------

/** The entries of a parsed document (objects as Maps), or an error. */
function entriesOf(doc: unknown, file: string, format: 'json' | 'yaml'): unknown[] {
  if (doc === null || doc === undefined) {
    if (format === 'yaml') return [];
  } else if (Array.isArray(doc)) {
    return doc;
  } else if (doc instanceof Map && doc.size === 0) {
    return [];
  }
  throw badValue(
    `${file}: expected a ${format === 'json' ? 'JSON array' : 'YAML list'} of variable descriptions`,
    format === 'json'
      ? 'Write the file as psec does: [ {"Variable": "...", "Type": "..."}, ... ].'
      : 'Write the file as a list of mappings: "- Variable: ...\\n  Type: ...".',
  );
}

function entryLabel(file: string, index: number, variable: unknown): string {
  const base = `${file} entry ${index + 1}`;
  return typeof variable === 'string' && variable !== '' && isWellFormed(variable) ? `${base} (${printable(variable).slice(0, 80)})` : base;
}

function describeEntry(raw: unknown, index: number, file: string, group: string): VariableDescription {
  if (!(raw instanceof Map)) {
    throw badValue(`${file} entry ${index + 1}: expected an object with Variable and Type`, FIX_ATTRIBUTES);
  }
  const variableRaw = raw.get('Variable');
  const label = entryLabel(file, index, variableRaw);
  for (const key of raw.keys()) {
    if (typeof key !== 'string' || !ATTRIBUTE_SET.has(key)) {
      throw badValue(`${label}: unknown attribute ${shown(String(key))}`, FIX_ATTRIBUTES);
    }
  }
  const attr = (name: Attribute): string | undefined => {
    const v = raw.get(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      throw badValue(`${label}: ${name} must be a string`, 'Quote the value (psec attributes are strings).');
    }
    if (!isWellFormed(v)) throw badValue(`${label}: ${name} is not valid Unicode`, 'Remove the unpaired \\uD800-\\uDFFF escape.');
    return v;
  };
  const variable = attr('Variable');
  if (variable === undefined) {
    throw badValue(`${label}: missing Variable`, 'Give every entry a "Variable" (the key name) and a "Type".');
  }
  const problem = nameProblem('key', variable);
  if (problem) {
    throw badValue(
      `${label}: Variable is not a valid key name: ${problem}`,
      "Use letters, digits and '_', '-', '.', '/' (no ':', ',', '*', '?', '[', ']', '=', '#', spaces).",
    );
  }
  const type = attr('Type');
  if (type === undefined) {
    throw badValue(`${label}: missing Type`, `Give the entry a "Type": one of ${KNOWN_TYPES_TEXT}.`);
  }
  if (!TYPE_NAMES.has(type)) {
    throw badValue(`${label}: unknown Type ${shown(type)}`, `Use one of: ${KNOWN_TYPES_TEXT}.`);
  }
  const exp = attr('Export');
  if (exp !== undefined && !ENV_NAME_RE.test(exp)) {
    throw badValue(
      `${label}: Export ${shown(exp)} is not an environment variable name`,
      "Use a letter or '_' followed by letters, digits or '_' (e.g. DB_PASSWORD).",
    );
  }
  const optionsText = attr('Options');
  const options = analyseOptions(optionsText ?? '', type);
  if (typeof options === 'string') {
    throw badValue(`${label}: ${options}`, 'Write Options as a comma-separated list, e.g. "a,b" or "a,*".');
  }
  const prompt = attr('Prompt');
  const help = attr('Help');
  attr('Group'); // checked (a string), then ignored: the file name decides the group
  const d: { -readonly [K in keyof VariableDescription]: VariableDescription[K] } = { variable, type, group, source: file, index };
  if (prompt !== undefined) d.prompt = prompt;
  d.options = options;
  if (optionsText !== undefined) d.optionsText = optionsText;
  if (exp !== undefined) d.export = exp;
  if (help !== undefined) d.help = help;
  return d;
}

/**
 * Parse one group description file.
 *
 * The format follows the extension of `file`: `.yaml`/`.yml` is YAML, anything else JSON (see the
 * module documentation for the rules). The group name is `file`'s base name without extension.
 *
 * @param text - The file contents.
 * @param file - The file's path, used for the group name and in messages as given.
 * @returns The group with its entries in file order; every entry has `options` set.
 * @throws SeeqretError `E_BAD_VALUE` for malformed JSON/YAML (with line and column), a document
 *   that is not a list, a bad group name, an entry that is not an object, an unknown or repeated
 *   attribute, a non-string attribute, a missing `Variable` or `Type`, a `Variable` that is not a
 *   valid key name, an unknown `Type`, a bad `Export` or `Options`, or a variable described twice.
 */
export function parseGroupText(text: string, file: string): Group {
  const name = groupNameOf(file);
  if (name === '' || name.includes('.') || nameProblem('key', name) !== null) {
    throw badValue(
      `${file}: group name ${shown(name)} (the file name without extension) is not usable`,
      "Rename the file: letters, digits and '_', '-' (no '.', ':', ',', '*', '?', '[', ']', '=', '#', spaces).",
    );
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const format = formatOf(file);
  let doc: unknown;
  if (format === 'json') {
    try {
      doc = parseJson(body);
    } catch (e) {
      if (!(e instanceof JsonSyntax)) throw e;
      throw badValue(
        `${file}: not valid JSON at ${lineCol(body, e.pos)}: ${e.reason}`,
        'Fix the JSON at that place (a description file is a JSON array of objects).',
      );
    }
  } else {
    doc = parseYaml(body, file);
  }
  const entries = entriesOf(doc, file, format);
  const variables: VariableDescription[] = [];
  const seen = new Map<string, number>();
  entries.forEach((raw, index) => {
    const d = describeEntry(raw, index, file, name);
    const first = seen.get(d.variable);
    if (first !== undefined) {
      throw badValue(`${entryLabel(file, index, d.variable)}: Variable is already described by entry ${first + 1}`, FIX_DUPLICATE);
    }
    seen.set(d.variable, index);
    variables.push(d);
  });
  return { name, file, variables };
}

const GROUP_FILE_RE = /\.(?:json|ya?ml)$/i;

/**
 * Read every group description file in a folder (typically an environment's `secrets.d/`).
 *
 * Files whose names end in `.json`, `.yaml` or `.yml` (any case) are read in code-unit order of
 * their names; other files, folders and names starting with `.` are skipped.
 *
 * @param dir - The folder; file paths in the result and in messages are `path.join(dir, name)`.
 * @returns The groups in file-name order; `[]` when `dir` does not exist.
 * @throws SeeqretError `E_BAD_VALUE` for any error of {@link parseGroupText}, for a variable
 *   described in two files (naming both), for two files of the same group (`db.json` and
 *   `db.yaml`), or a file that is not UTF-8; `E_IO`/`E_PERMISSIONS` when the folder or a file
 *   cannot be read.
 */
export function loadGroups(dir: string): Group[] {
  let names: string[];
  try {
    names = fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => !e.name.startsWith('.') && GROUP_FILE_RE.test(e.name))
      .filter((e) => e.isFile() || (e.isSymbolicLink() && statIsFile(path.join(dir, e.name))))
      .map((e) => e.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return [];
    throw ioError(e, dir);
  }
  const groups: Group[] = [];
  const groupFiles = new Map<string, string>();
  const where = new Map<string, VariableDescription>();
  for (const n of names) {
    const file = path.join(dir, n);
    const group = parseGroupText(readTextFileCapped(file, 'descriptions'), file);
    const other = groupFiles.get(group.name);
    if (other !== undefined) {
      throw badValue(`${file}: group ${shown(group.name)} is already described by ${other}`, 'Keep one file per group: merge or remove one of them.');
    }
    groupFiles.set(group.name, file);
    for (const d of group.variables) {
      const prev = where.get(d.variable);
      if (prev !== undefined) {
        throw badValue(
          `${entryLabel(file, d.index, d.variable)}: Variable is already described in ${prev.source} (entry ${prev.index + 1})`,
          FIX_DUPLICATE,
        );
      }
      where.set(d.variable, d);
    }
    groups.push(group);
  }
  return groups;
}

function statIsFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Why `value` is not acceptable for the described variable, or `null` when it is.
 *
 * Checks: a `boolean` must be exactly `true` or `false`; an `int` must be an optional sign and
 * ASCII digits; when the options are closed (no `*`), the value must be one of the choices.
 * Other types accept any value. The reason never contains the value (the caller prefixes the
 * variable name).
 *
 * @param d - The description (its `options`, else its `optionsText`, else the type's default).
 * @param value - The candidate value.
 */
export function validateValue(d: VariableDescription, value: string): string | null {
  if (d.type === 'boolean' && value !== 'true' && value !== 'false') return "must be exactly 'true' or 'false'";
  if (d.type === 'int' && !INT_RE.test(value)) return 'must be an integer (ASCII digits with an optional sign)';
  let options = d.options;
  if (options === undefined) {
    const r = analyseOptions(d.optionsText ?? '', d.type);
    options = typeof r === 'string' ? undefined : r;
  }
  if (options && !options.freeText && !options.choices.includes(value)) {
    return `must be one of the options: ${printable(options.choices.join(', '))}`;
  }
  return null;
}

/** psec's JSON: `json.dumps(data, indent=2)` with Python's default ASCII escaping. */
function pythonJson(data: unknown): string {
  return JSON.stringify(data, null, 2).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Write a group in psec's shape, so that psec and {@link parseGroupText} read it back unchanged.
 *
 * Each entry has the attributes `Variable`, `Type`, `Prompt`, `Options`, `Export`, `Help` in that
 * order, absent ones left out. `Options` is `optionsText` when set, otherwise derived from
 * `options` unless those are the type's default. `Group` is not written (the file name is the
 * group). JSON is what psec itself writes: a 2-space indented array with non-ASCII characters
 * escaped as `\uXXXX` (so psec reads it under any locale), plus a final newline. YAML is a block
 * list of mappings, quoted where needed, lines never folded.
 *
 * @param group - The group (its `name` and `file` are not written).
 * @param format - `json` for psec's `.json` files, `yaml` for `.yaml`/`.yml`.
 */
export function serializeGroup(group: Group, format: 'json' | 'yaml'): string {
  const entries = group.variables.map((d) => {
    const e: Record<string, string> = { Variable: d.variable, Type: d.type };
    if (d.prompt !== undefined) e['Prompt'] = d.prompt;
    if (d.optionsText !== undefined) e['Options'] = d.optionsText;
    else if (d.options !== undefined) {
      const text = formatOptions(d.options);
      if (text !== formatOptions(parseOptions('', d.type))) e['Options'] = text;
    }
    if (d.export !== undefined) e['Export'] = d.export;
    if (d.help !== undefined) e['Help'] = d.help;
    return e;
  });
  if (format === 'json') return `${pythonJson(entries)}\n`;
  return YAML.stringify(entries, { version: '1.2', lineWidth: 0, minContentWidth: 0 });
}
