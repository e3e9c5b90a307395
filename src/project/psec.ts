/**
 * Reading a psec (python_secrets) environment folder for `seeqret import-psec`.
 *
 * A psec environment folder (`~/.secrets/<env>/`) holds `secrets.json`, a flat JSON object
 * `{ "variable": "value" | null }` (psec writes every value as a string; `null` means unset), and
 * `secrets.d/`, the group descriptions. Everything else in it (`tmp/`, backups, keys) is not
 * imported. psec stores the values unencrypted; seeqret puts them in the vault.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../errors.js';
import { type Group, type VariableDescription, loadGroups, validateValue } from './descriptions.js';
import { parseJsonStrict } from './description-syntax.js';
import { ioError } from '../util/fs.js';
import { readTextFileCapped } from '../util/read-capped.js';
import { printable } from '../util/text.js';
import { isWellFormed, nameProblem } from '../vault/names.js';
import { GROUPS_DIR } from './project.js';

/** psec's values file name. */
export const PSEC_VALUES_FILE = 'secrets.json';

/** One value of a psec environment. */
export interface PsecValue {
  readonly variable: string;
  /** The value as text, or `null` when psec has it unset. */
  readonly value: string | null;
  /** Its description, when `secrets.d/` has one. */
  readonly description?: VariableDescription;
}

/** A psec environment folder, read and validated. */
export interface PsecEnvironment {
  readonly dir: string;
  /** The folder's name: psec's environment name. */
  readonly name: string;
  /** The groups of `secrets.d/` (may be empty). */
  readonly groups: readonly Group[];
  /** Every variable of `secrets.json`, then described variables missing from it (unset). */
  readonly values: readonly PsecValue[];
  /** Entries of the folder that are not imported (names only). */
  readonly ignored: readonly string[];
  /** Notes for the user (never values): non-string values turned into text. */
  readonly notes: readonly string[];
}

/**
 * Read a psec environment folder: `secrets.json` and/or `secrets.d/` (at least one must exist).
 *
 * Values must be strings or `null`; `true`/`false` and numbers are taken as their JSON text (psec
 * itself only writes strings); objects and arrays are refused. A described variable's value must
 * pass {@link validateValue} (psec never validated, so a bad boolean is reported here, naming the
 * variable, never the value).
 *
 * @throws SeeqretError `E_FILE_NOT_FOUND` when the folder has neither file, `E_BAD_VALUE` for
 *   malformed JSON, a non-object `secrets.json`, a bad variable name, an unusable or invalid value,
 *   or any description error.
 */
export function readPsecEnvironment(dir: string): PsecEnvironment {
  const abs = path.resolve(dir);
  let entries: string[];
  try {
    entries = fs.readdirSync(abs);
  } catch (e) {
    throw ioError(e, abs);
  }
  const valuesFile = path.join(abs, PSEC_VALUES_FILE);
  const hasValues = entries.includes(PSEC_VALUES_FILE);
  const hasGroups = entries.includes(GROUPS_DIR);
  if (!hasValues && !hasGroups) {
    throw new SeeqretError('E_FILE_NOT_FOUND', `${printable(abs)} is not a psec environment folder (no ${PSEC_VALUES_FILE}, no ${GROUPS_DIR}/)`, 'Pass the environment folder itself, e.g. ~/.secrets/myenv.');
  }
  const groups = hasGroups ? loadGroups(path.join(abs, GROUPS_DIR)) : [];
  const described = new Map<string, VariableDescription>();
  for (const g of groups) for (const d of g.variables) described.set(d.variable, d);
  const values: PsecValue[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  if (hasValues) {
    const doc = parseJsonStrict(readTextFileCapped(valuesFile, 'psecValues'), valuesFile);
    if (!(doc instanceof Map)) {
      throw new SeeqretError('E_BAD_VALUE', `${printable(valuesFile)}: expected a JSON object of variables`, 'psec writes {"variable": "value", ...}; check the file.');
    }
    for (const [variable, raw] of doc as Map<string, unknown>) {
      const label = `${printable(valuesFile)}: ${JSON.stringify(printable(variable.slice(0, 80)))}`;
      const problem = nameProblem('key', variable);
      if (problem) throw new SeeqretError('E_BAD_VALUE', `${label} is not a usable variable name: ${problem}`, 'Rename the variable in secrets.json and its description.');
      let value: string | null;
      if (raw === null) value = null;
      else if (typeof raw === 'string') value = raw;
      else if (typeof raw === 'boolean' || (typeof raw === 'number' && Number.isFinite(raw))) {
        value = String(raw);
        notes.push(`${variable}: a JSON ${typeof raw} was stored as text`);
      } else {
        throw new SeeqretError('E_BAD_VALUE', `${label} has a value that is not text (an object or array)`, 'Store it as a JSON string (e.g. serialized JSON), then import again.');
      }
      if (value !== null && !isWellFormed(value)) throw new SeeqretError('E_BAD_VALUE', `${label}: the value is not valid Unicode`, 'Fix the value in secrets.json.');
      const description = described.get(variable);
      if (value !== null && description) {
        const why = validateValue(description, value);
        if (why) throw new SeeqretError('E_BAD_VALUE', `${label}: the value ${why} (${description.type})`, 'Correct the value in secrets.json (or its description), then import again.');
      }
      seen.add(variable);
      values.push(description ? { variable, value, description } : { variable, value });
    }
  }
  for (const [variable, description] of described) if (!seen.has(variable)) values.push({ variable, value: null, description });
  const ignored = entries.filter((e) => e !== PSEC_VALUES_FILE && e !== GROUPS_DIR).sort();
  return { dir: abs, name: path.basename(abs), groups, values, ignored, notes };
}
