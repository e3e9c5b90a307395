/**
 * The `generate` and `rotate` use cases: typed values for an environment's variables, written
 * to the vault with history (so regenerating is rotating). Nothing secret is reported; progress
 * and outcomes go to the injected {@link Notes}. Nothing here touches `process`.
 *
 * @module
 */
import { sha256Base64 } from '../crypto/random.js';
import { parseShaCryptSetting, verifyShaCrypt } from '../crypto/shacrypt.js';
import { SeeqretError } from '../errors.js';
import type { Notes } from '../notes.js';
import { type GenerationOptions, type GenerationTarget, planGeneration } from './generation.js';
import type { Project } from './project.js';
import { type VariableState, environmentGroups, environmentRecords, environmentVariables } from './variables.js';
import { type Vault, secretLabel } from '../vault/vault.js';

/** What to generate. */
export interface GenerateRequest {
  /** Variables named (else every described variable the selection keeps). */
  readonly names: readonly string[];
  /** Only variables of these groups (none: all). */
  readonly groups?: readonly string[] | undefined;
  /** Only variables without a value. */
  readonly undefinedOnly?: boolean | undefined;
  /** Hash the stored value of this variable (crypt_6, sha256_digest). */
  readonly from?: string | undefined;
  /** Work out and report what would be generated, write nothing. */
  readonly dryRun?: boolean | undefined;
  /** How values are made (password style, lengths, ranges, rounds, user). */
  readonly options: GenerationOptions;
}

/** What `rotate` selects when no variable is named. */
export interface RotateSelection {
  /** Values marked exposed (a removed user had them), and values that share or hash one. */
  readonly exposed?: boolean | undefined;
  /** Values set before this time (ms since the epoch). */
  readonly olderThan?: number | undefined;
  /** Every generable variable. */
  readonly all?: boolean | undefined;
}

/** How many values were written (or, in a dry run, would be). */
export interface GenerateResult {
  readonly generated: number;
}

/** Plan and write; shared by generate and rotate. */
function run(v: Vault, project: Project, env: string, req: GenerateRequest, keep: (s: VariableState) => boolean, verb: 'generate' | 'rotate', notes: Pick<Notes, 'info'>): GenerateResult {
  const groups = environmentGroups(project, env);
  const described = environmentVariables(v, project, env, groups).flatMap((s) => (s.description ? [{ state: s, type: s.description.type, group: s.description.group }] : []));
  const byName = new Map(described.map((s) => [s.state.variable, s]));
  const opts: GenerationOptions = { ...req.options };
  const from = req.from;
  if (from !== undefined) {
    const src = byName.get(from)?.state.record ?? v.lookup(project.app, env, from);
    if (!src) throw new SeeqretError('E_NOT_FOUND', `--from ${from}: the variable has no value in environment ${env}`, `Set it first (seeqret set ${from}) or generate it in an earlier run.`);
    v.auditReads([src], `${verb} --from`);
    Object.assign(opts, { fromValue: v.reveal(src) });
  }
  const targets: GenerationTarget[] = [];
  for (const n of req.names) {
    const s = byName.get(n);
    if (!s) throw new SeeqretError('E_NOT_DESCRIBED', `variable ${n} has no description in environment ${env}`, 'Describe it in a group file first (seeqret describe lists them).');
    if (n === from) throw new SeeqretError('E_USAGE', `${n} is both generated and the --from source`, 'Generate the password first, then the hashes with --from.');
    targets.push({ variable: n, type: s.type, explicit: true });
  }
  const groupNames = req.groups ?? [];
  if (req.names.length === 0) {
    for (const s of described) {
      if (s.state.variable === from || (groupNames.length > 0 && !groupNames.includes(s.group)) || (req.undefinedOnly && s.state.record)) continue;
      if (keep(s.state)) targets.push({ variable: s.state.variable, type: s.type, explicit: false });
    }
  }
  for (const gname of groupNames) if (!groups.some((gr) => gr.name === gname)) throw new SeeqretError('E_NOT_FOUND', `environment ${env} has no group ${gname}`, 'Run `seeqret groups list`.');
  const plan = planGeneration(targets, opts);
  const leftUnchanged = (): void => {
    for (const s of plan.skipped) notes.info(`  left unchanged: ${s.variable} (${s.type}): ${s.reason}`);
  };
  if (plan.values.length === 0) {
    leftUnchanged();
    notes.info(`Nothing to ${verb} in environment ${env}`);
    return { generated: 0 };
  }
  if (req.dryRun) {
    for (const x of plan.values) notes.info(`would ${verb} ${x.variable} (${x.type})`);
  } else {
    const summary = v.setMany(
      plan.values.map((x) => ({ app: project.app, env, key: x.variable, value: x.value, type: x.type })),
      { update: true },
    );
    const types = new Map(plan.values.map((p) => [p.variable, p.type]));
    for (const x of summary.outcomes) notes.info(`${x.outcome === 'added' ? 'set' : x.outcome === 'updated' ? 'replaced' : x.outcome} ${secretLabel(x)} (${types.get(x.key) ?? ''})`);
    const n = String(plan.values.length);
    notes.info(`${verb === 'rotate' ? 'Rotated' : 'Generated'} ${n} value(s) in environment ${env} (${String(summary.added)} new, ${String(summary.updated)} replaced; old values kept in history)`);
  }
  const shared = opts.unique ? 'one value per variable' : 'one value per type, shared (pass -U for one per variable)';
  const hashed = from !== undefined ? [...new Set(plan.values.filter((x) => x.type === 'crypt_6' || x.type === 'sha256_digest').map((x) => x.type))].map((t) => `${t} hashes the value of ${from}`) : [];
  notes.info(`Entropy: ${[...[...plan.entropy].map(([t, b]) => `${t} ${b.toFixed(1)} bits`), ...hashed].join(', ')}; ${shared}`);
  leftUnchanged();
  return { generated: plan.values.length };
}

/** Generate values for the described variables of `env` (all, or those named or selected). */
export function generateValues(v: Vault, project: Project, env: string, req: GenerateRequest, notes: Pick<Notes, 'info'>): GenerateResult {
  return run(v, project, env, req, () => true, 'generate', notes);
}

/** Refuse a `rotate` that names nothing to rotate, or names variables and `selects` (exposed, older than, all) too. */
export function checkRotate(names: readonly string[], selects: boolean): void {
  if (names.length === 0 && !selects) {
    throw new SeeqretError('E_USAGE', 'rotate needs to know what to rotate', 'Name variables, or pass --exposed, --older-than AGE (e.g. 90d) or --all.');
  }
  if (names.length > 0 && selects) {
    throw new SeeqretError('E_USAGE', 'named variables cannot be combined with --exposed, --older-than or --all', 'Either name the variables or select them with the options.');
  }
}

/**
 * Rotate (generate again) the variables named, or those `sel` selects: exposed values and the
 * values that still depend on one (the same value, or a hash of it), values older than a time,
 * or all.
 */
export function rotateValues(v: Vault, project: Project, env: string, req: GenerateRequest, sel: RotateSelection, notes: Pick<Notes, 'info'>): GenerateResult {
  checkRotate(req.names, sel.exposed === true || sel.olderThan !== undefined || sel.all === true);
  const exposed = sel.exposed === true;
  const cutoff = sel.olderThan;
  const sharesExposed = exposed ? exposedSiblings(v, project, env, req.options.user) : () => null;
  const keep = (s: VariableState): boolean => {
    if (sel.all) return true;
    if (!s.record) return false;
    if ((exposed && s.record.exposedAt !== null) || (cutoff !== undefined && s.record.updatedAt < cutoff)) return true;
    const why = sharesExposed(s);
    if (why) notes.info(`selected ${s.variable}: it ${why}`);
    return why !== null;
  };
  return run(v, project, env, req, keep, 'rotate', notes);
}

/** crypt_6 hashes with more rounds than this are not checked against exposed values (too slow). */
const MAX_CHECKED_ROUNDS = 1_000_000;

/**
 * For `rotate --exposed`: a test telling whether a variable not marked exposed still depends on an
 * exposed value of the environment — it holds the same value (`generate` gives one value to every
 * variable of a type), or it is a `crypt_6` / `sha256_digest` (with `--user`) hash of it, which
 * would keep accepting the exposed password. Returns the reason, or `null`. Values are compared
 * here only, never shown.
 */
function exposedSiblings(v: Vault, project: Project, env: string, user: string | undefined): (s: VariableState) => string | null {
  const exposedValues = new Set(environmentRecords(v, project, env).filter((r) => r.exposedAt !== null).map((r) => v.reveal(r)));
  return (s) => {
    if (exposedValues.size === 0 || !s.record) return null;
    const value = v.reveal(s.record);
    if (exposedValues.has(value)) return 'holds an exposed value too';
    const type = s.description?.type;
    if (type === 'crypt_6' && value.startsWith('$6$')) {
      try {
        const { rounds } = parseShaCryptSetting(value);
        if ((rounds ?? 0) <= MAX_CHECKED_ROUNDS && [...exposedValues].some((x) => verifyShaCrypt(x, value))) return 'is a hash of an exposed value';
      } catch {
        /* not a crypt string we can check */
      }
    }
    if (type === 'sha256_digest' && user !== undefined && [...exposedValues].some((x) => sha256Base64(`${user}:${x}`) === value)) return 'is a hash of an exposed value';
    return null;
  };
}
