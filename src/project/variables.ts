/**
 * An environment's variables: the descriptions of the project's `secrets.d/` joined with the values
 * stored in the vault under `app:env:VARIABLE`. Shared by describe/show/set/generate/run/template.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { parseFilter } from '../filter/index.js';
import { type Group, type VariableDescription, loadGroups } from './descriptions.js';
import { type EnvEntry, type Resolved, pendingWarning, refuseDangerous } from '../inject/resolve.js';
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
 * Names are resolved as psec's descriptions allow: a variable's own name always wins over another
 * variable's `Export` name (`template` does the same), and several variables may share one
 * `Export` name (psec's own sample does) as long as the set ones hold the same value.
 *
 * @param prefix - Prepended to every exported name (psec's `--env-var-prefix`).
 * @throws SeeqretError `E_BAD_VALUE` for such a loader name, or when variables sharing an `Export`
 *   name hold different values (which one is meant is then unknowable).
 */
export function environmentEntries(vault: Vault, project: Project, env: string, opts: { prefix?: string; groups?: readonly Group[] } = {}): Resolved {
  const prefix = opts.prefix ?? '';
  vault.checkIntegrity(['secrets']);
  const own: EnvEntry[] = [];
  const aliases = new Map<string, { entry: EnvEntry; variable: string }>();
  const all = environmentVariables(vault, project, env, opts.groups).filter((s): s is VariableState & { readonly record: SecretRecord } => s.record !== undefined);
  // A value without a description whose name was received from someone else and not accepted yet
  // is not exported (a description names the variable; nothing else here does).
  const skipped = all.filter((s) => s.description === undefined && s.record.pending).map((s) => s.record);
  const stored = all.filter((s) => !(s.description === undefined && s.record.pending));
  for (const s of stored) {
    const record = s.record;
    const value = vault.reveal(record);
    const name = prefix + s.variable;
    if (s.description === undefined) refuseDangerous(name, record);
    own.push({ name, value, secret: record, explicit: s.description !== undefined });
    const alias = s.description?.export;
    if (alias === undefined) continue;
    const prev = aliases.get(prefix + alias);
    if (prev !== undefined && prev.entry.value !== value) {
      throw new SeeqretError(
        'E_BAD_VALUE',
        `${prefix + alias} is the Export name of both ${prev.variable} and ${s.variable}, which hold different values`,
        'Give one of them another Export name in its description, or set both to the same value.',
      );
    }
    if (prev === undefined) aliases.set(prefix + alias, { entry: { name: prefix + alias, value, secret: record, explicit: true }, variable: s.variable });
  }
  const ownNames = new Set(own.map((e) => e.name));
  const entries = [...own, ...[...aliases.values()].filter((a) => !ownNames.has(a.entry.name)).map((a) => a.entry)];
  return { entries, warnings: pendingWarning(skipped) };
}
