/**
 * An environment's variables: the descriptions of the project's `secrets.d/` joined with the values
 * stored in the vault under `app:env:VARIABLE`. Shared by describe/show/set/generate/run/template.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { parseFilter } from '../filter/index.js';
import { type Group, type VariableDescription, loadGroups } from '../schema/descriptions.js';
import { type EnvEntry, type Resolved, refuseDangerous } from '../vault/resolve.js';
import type { SecretRecord, Vault } from '../vault/vault.js';
import { type Project, checkEnvironmentName, groupsDir } from './project.js';

/** One variable of an environment: described, stored, or both. */
export interface VariableState {
  /** The variable (the vault key). */
  readonly variable: string;
  /** Its description, when a group file describes it. */
  readonly description?: VariableDescription;
  /** Its vault record (metadata only), when a value is stored. */
  readonly record?: SecretRecord;
}

/** The groups of an environment, read from `<descriptions>/<env>/secrets.d/`. */
export function environmentGroups(project: Project, env: string): Group[] {
  return loadGroups(groupsDir(project, env));
}

/** The vault records of environment `env` of the project (exactly `app:env:*`, no globals). */
export function environmentRecords(vault: Vault, project: Project, env: string): SecretRecord[] {
  checkEnvironmentName(env);
  return vault.find([parseFilter(`${project.app}:${env}:*`)]).filter((r) => r.app === project.app && r.env === env);
}

/**
 * Every variable of an environment: described variables in group-file order, then variables that
 * have a stored value but no description, sorted by name.
 *
 * @param groups - The environment's groups (default: read them).
 */
export function environmentVariables(vault: Vault, project: Project, env: string, groups?: readonly Group[]): VariableState[] {
  const gs = groups ?? environmentGroups(project, env);
  const records = new Map(environmentRecords(vault, project, env).map((r) => [r.key, r]));
  const out: VariableState[] = [];
  for (const g of gs) {
    for (const d of g.variables) {
      const record = records.get(d.variable);
      records.delete(d.variable);
      out.push(record ? { variable: d.variable, description: d, record } : { variable: d.variable, description: d });
    }
  }
  const rest = [...records.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const record of rest) out.push({ variable: record.key, record });
  return out;
}

/**
 * The environment entries to export for an environment (used by `run` and `template`): every
 * variable with a stored value under its own name, and also under its description's `Export` name.
 *
 * A described variable is explicit (its name and Export are in the project's reviewed files);
 * an undescribed stored value whose name would change how programs load code (`PATH`,
 * `NODE_OPTIONS`, `LD_*`, ...) is refused, as with filters. Values are decrypted here.
 *
 * @param prefix - Prepended to every exported name (psec's `--env-var-prefix`).
 * @throws SeeqretError `E_BAD_VALUE` for such a name, or when two variables would export the same name.
 */
export function environmentEntries(vault: Vault, project: Project, env: string, opts: { prefix?: string; groups?: readonly Group[] } = {}): Resolved {
  const prefix = opts.prefix ?? '';
  const entries: EnvEntry[] = [];
  const from = new Map<string, string>();
  const add = (name: string, value: string, record: SecretRecord, explicit: boolean, variable: string): void => {
    const prev = from.get(name);
    if (prev !== undefined) {
      if (prev === variable) return;
      throw new SeeqretError(
        'E_BAD_VALUE',
        `${name} would be exported for both ${prev} and ${variable}`,
        'Give one of them another Export name in its description.',
      );
    }
    if (!explicit) refuseDangerous(name, record);
    from.set(name, variable);
    entries.push({ name, value, secret: record, explicit });
  };
  for (const s of environmentVariables(vault, project, env, opts.groups)) {
    if (!s.record) continue;
    const value = vault.reveal(s.record);
    add(prefix + s.variable, value, s.record, s.description !== undefined, s.variable);
    if (s.description?.export !== undefined) add(prefix + s.description.export, value, s.record, true, s.variable);
  }
  return { entries, warnings: [] };
}
