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
import { type Project, checkEnvironmentName, environmentExists, groupsDir } from './project.js';

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

/**
 * The groups named by `names` (all when none).
 *
 * @throws SeeqretError `E_NOT_FOUND` naming an unknown one.
 */
export function selectGroups(groups: readonly Group[], names: readonly string[], env: string): readonly Group[] {
  if (names.length === 0) return groups;
  for (const n of names) {
    if (!groups.some((g) => g.name === n)) {
      throw new SeeqretError('E_NOT_FOUND', `environment ${env} has no group ${n}`, 'Run `seeqret groups list`.');
    }
  }
  return groups.filter((g) => names.includes(g.name));
}

/** Which descriptions `describe` shows. */
export interface DescriptionQuery {
  /** Only these variables (all when empty). */
  readonly names: readonly string[];
  /** Only these groups (all when empty). */
  readonly groups: readonly string[];
}

/**
 * `describe`: the descriptions of `env`'s variables, chosen by `q`.
 *
 * @throws SeeqretError `E_NOT_FOUND` (no such environment or group), `E_NOT_DESCRIBED` (a name without description).
 */
export function describedVariables(project: Project, env: string, q: DescriptionQuery): VariableDescription[] {
  if (!environmentExists(project, env)) throw new SeeqretError('E_NOT_FOUND', `environment ${env} has no descriptions folder`, `Create it with \`seeqret environments create ${env}\`.`);
  const all = environmentGroups(project, env);
  let ds: VariableDescription[] = selectGroups(all, q.groups, env).flatMap((g) => [...g.variables]);
  if (q.names.length) {
    const byName = new Map(all.flatMap((g) => g.variables.map((d) => [d.variable, d] as const)));
    for (const n of q.names) {
      if (!byName.has(n)) throw new SeeqretError('E_NOT_DESCRIBED', `variable ${n} has no description in environment ${env}`, 'Run `seeqret describe` to see the described variables.');
    }
    ds = ds.filter((d) => q.names.includes(d.variable));
  }
  return ds;
}

/** Which variables `show` shows. */
export interface VariableQuery extends DescriptionQuery {
  /** Only variables of these types (all when empty). */
  readonly types: readonly string[];
  /** Only variables without a value. */
  readonly undefinedOnly: boolean;
}

/**
 * `show`: `env`'s variables (described ∪ in the vault) chosen by `q`, values not revealed.
 *
 * @throws SeeqretError `E_NOT_FOUND` (an unknown group, or a name neither described nor set).
 */
export function selectVariables(vault: Vault, project: Project, env: string, q: VariableQuery): VariableState[] {
  const allGroups = environmentGroups(project, env);
  selectGroups(allGroups, q.groups, env); // unknown group names are an error
  let states: VariableState[] = environmentVariables(vault, project, env, allGroups);
  if (q.names.length) {
    for (const n of q.names) {
      if (!states.some((s) => s.variable === n)) {
        throw new SeeqretError('E_NOT_FOUND', `variable ${n} is neither described nor set in environment ${env}`, 'Run `seeqret show` to see the variables.');
      }
    }
    states = states.filter((s) => q.names.includes(s.variable));
  }
  if (q.groups.length) states = states.filter((s) => s.description !== undefined && q.groups.includes(s.description.group));
  if (q.types.length) states = states.filter((s) => q.types.includes(s.description?.type ?? s.record?.type ?? ''));
  if (q.undefinedOnly) states = states.filter((s) => !s.record);
  return states;
}

/** One variable as `seeqret show` lists it. */
export interface ShownVariable {
  readonly variable: string;
  /** Its description's group, or empty. */
  readonly group: string;
  /** Its described type, else its record's, else empty. */
  readonly type: string;
  /** The value when revealed, `redacted` when set and not revealed, empty when unset. */
  readonly value: string;
  /** Its Export name, or empty. */
  readonly export: string;
  /** `yes` when the vault has a value, else `no`. */
  readonly set: string;
}

/**
 * `show`: the variables {@link selectVariables} chooses, with their values when `reveal` (the
 * reads audited as `show`), else `redacted` in place of each value that is set.
 */
export function showVariables(vault: Vault, project: Project, env: string, q: VariableQuery, reveal: boolean, redacted: string): ShownVariable[] {
  const states = selectVariables(vault, project, env, q);
  const shown = states.flatMap((s) => (s.record ? [s.record] : []));
  if (reveal) vault.auditReads(shown, 'show');
  return states.map((s) => ({
    variable: s.variable,
    group: s.description?.group ?? '',
    type: s.description?.type ?? s.record?.type ?? '',
    value: s.record ? (reveal ? vault.reveal(s.record) : redacted) : '',
    export: s.description?.export ?? '',
    set: s.record ? 'yes' : 'no',
  }));
}
