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
import { pythonJsonDumps } from '../formats/python-json.js';
import { ioError } from '../util/fs.js';
import { readTextFileCapped } from '../util/read-capped.js';
import { printable } from '../util/text.js';
import { isWellFormed, nameProblem } from '../vault/names.js';
import { JsonSyntax, lineCol, parseJson, parseYaml } from './description-syntax.js';
import { type Options, analyseOptions, formatOptions, KNOWN_TYPES_TEXT, parseOptions, TYPE_NAMES } from './secret-types.js';

/** The attributes a description entry may have, in the order {@link serializeGroup} writes them. */
const ATTRIBUTES = ['Variable', 'Type', 'Prompt', 'Options', 'Export', 'Help', 'Group'] as const;
type Attribute = (typeof ATTRIBUTES)[number];
const ATTRIBUTE_SET: ReadonlySet<string> = new Set(ATTRIBUTES);

/** Names accepted for `Export` (and the only names a POSIX shell can export). */
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** What `int` accepts: an optional sign and ASCII digits. */
export const INT_RE = /^[+-]?[0-9]+$/;

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

export function badValue(message: string, fix: string): SeeqretError {
  return new SeeqretError('E_BAD_VALUE', printable(message), fix);
}

/** A name from the file, made safe and short enough for a one-line message. */
export function shown(name: string): string {
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

function describeEntry(entry: unknown, index: number, file: string, group: string): VariableDescription {
  if (!(entry instanceof Map)) {
    throw badValue(`${file} entry ${index + 1}: expected an object with Variable and Type`, FIX_ATTRIBUTES);
  }
  const raw: ReadonlyMap<unknown, unknown> = entry;
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
  if (format === 'json') return `${pythonJsonDumps(entries, { indent: 2 })}\n`;
  return YAML.stringify(entries, { version: '1.2', lineWidth: 0, minContentWidth: 0 });
}
