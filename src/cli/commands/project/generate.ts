/**
 * `seeqret generate` and `seeqret rotate`: typed values for an environment's variables, written
 * to the vault with history (so regenerating is rotating). Nothing secret is printed.
 *
 * @module
 */
import { sha256Base64 } from '../../../crypto/random.js';
import { parseShaCryptSetting, verifyShaCrypt } from '../../../crypto/shacrypt.js';
import { SeeqretError } from '../../../errors.js';
import { type GenerationOptions, type GenerationTarget, planGeneration } from '../../../project/generation.js';
import type { Project } from '../../../project/project.js';
import { type VariableState, environmentGroups, environmentRecords, environmentVariables } from '../../../project/variables.js';
import type { PasswordCase, PasswordOptions } from '../../../project/password.js';
import { type Vault, secretLabel } from '../../../vault/vault.js';
import { type GlobalOptions, info, withVault } from '../../context.js';
import { type EnvOption, projectEnv } from '../../project-context.js';
import { parseSince } from '../sharing/audit.js';

/** An integer option (`--length 16`), strictly decimal. */
export function intOption(name: string, text: unknown): number | undefined {
  if (text === undefined) return undefined;
  const s = String(text);
  if (!/^[+-]?[0-9]{1,15}$/.test(s)) throw new SeeqretError('E_USAGE', `${name} must be an integer, got ${JSON.stringify(s.slice(0, 40))}`, `Pass ${name} N with N a whole number.`);
  return Number(s);
}

/** The options `generate` and `rotate` share (main.ts `generationOptions`), as commander gives them. */
export interface GenerationCliOptions extends EnvOption {
  /** `-U/--unique`: a value per variable (default: one value per type, shared). */
  readonly unique?: boolean;
  /** `-g/--group GROUP` (repeatable): only variables of these groups. */
  readonly group?: string[];
  /** `--words N`: password words (an integer, checked here). */
  readonly words?: string;
  /** `--acrostic` (true) / `--no-acrostic` (false): initials spell a word; unset when neither is given. */
  readonly acrostic?: boolean;
  /** `--psec`: psec's password style, 4 words spelling a word. */
  readonly psec?: boolean;
  /** `--case STYLE`: case of the password words (commander checks the choices). */
  readonly case?: PasswordCase;
  /** `--delimiter TEXT`: text between password words. */
  readonly delimiter?: string;
  /** `--min-word-length N`: shortest password word. */
  readonly minWordLength?: string;
  /** `--max-word-length N`: longest password word. */
  readonly maxWordLength?: string;
  /** `--length N`: bytes (tokens, random_base64) or characters (random). */
  readonly length?: string;
  /** `--min N`: smallest int value. */
  readonly min?: string;
  /** `--max N`: largest int value. */
  readonly max?: string;
  /** `--user NAME`: the user name of sha256_digest values. */
  readonly user?: string;
  /** `--from VAR`: hash the stored value of VAR (crypt_6, sha256_digest). */
  readonly from?: string;
  /** `--rounds N`: crypt_6 rounds. */
  readonly rounds?: string;
  /** `--dry-run`: show what would be generated, write nothing. */
  readonly dryRun?: boolean;
}

/** Options of `seeqret generate`. */
export interface GenerateOptions extends GenerationCliOptions {
  /** `--undefined`: only variables without a value. */
  readonly undefined?: boolean;
}

/** Options of `seeqret rotate`. */
export interface RotateOptions extends GenerationCliOptions {
  /** `--exposed`: values marked exposed (a removed user had them). */
  readonly exposed?: boolean;
  /** `--older-than AGE`: values set before AGE ago (90d, 12w, 24h) or before a date. */
  readonly olderThan?: string;
  /** `--all`: every generable variable. */
  readonly all?: boolean;
}

/** The generation options from the command line. */
function generationOptions(o: GenerationCliOptions): GenerationOptions {
  const password: PasswordOptions = {};
  const words = intOption('--words', o.words);
  if (words !== undefined) password.words = words;
  if (o.acrostic !== undefined) password.acrostic = o.acrostic;
  if (o.case !== undefined) password.case = o.case;
  if (o.delimiter !== undefined) password.delimiter = o.delimiter;
  const minLength = intOption('--min-word-length', o.minWordLength);
  const maxLength = intOption('--max-word-length', o.maxWordLength);
  if (minLength !== undefined) password.minLength = minLength;
  if (maxLength !== undefined) password.maxLength = maxLength;
  if (o.psec) Object.assign(password, { words: password.words ?? 4, acrostic: o.acrostic === undefined ? true : password.acrostic });
  const out: { -readonly [K in keyof GenerationOptions]: GenerationOptions[K] } = {};
  if (Object.keys(password).length) out.password = password;
  if (o.unique) out.unique = true;
  const length = intOption('--length', o.length);
  const min = intOption('--min', o.min);
  const max = intOption('--max', o.max);
  const rounds = intOption('--rounds', o.rounds);
  if (length !== undefined) out.length = length;
  if (min !== undefined) out.min = min;
  if (max !== undefined) out.max = max;
  if (rounds !== undefined) out.rounds = rounds;
  if (o.user !== undefined) out.user = o.user;
  return out;
}

interface Selection {
  /** Variables named on the command line. */
  readonly names: readonly string[];
  /** Keep a variable (not named) when this returns true. */
  readonly keep: (s: VariableState) => boolean;
}

/** Plan and write; shared by generate and rotate. */
function run(v: Vault, project: Project, env: string, o: GenerateOptions, sel: Selection, verb: string): number {
  const groups = environmentGroups(project, env);
  const states = environmentVariables(v, project, env, groups).filter((s) => s.description !== undefined);
  const byName = new Map(states.map((s) => [s.variable, s]));
  const opts = generationOptions(o);
  const from = o.from;
  if (from !== undefined) {
    const src = byName.get(from)?.record ?? v.lookup(project.app, env, from);
    if (!src) throw new SeeqretError('E_NOT_FOUND', `--from ${from}: the variable has no value in environment ${env}`, `Set it first (seeqret set ${from}) or generate it in an earlier run.`);
    v.auditReads([src], `${verb} --from`);
    Object.assign(opts, { fromValue: v.reveal(src) });
  }
  for (const n of sel.names) {
    if (!byName.has(n)) throw new SeeqretError('E_NOT_DESCRIBED', `variable ${n} has no description in environment ${env}`, 'Describe it in a group file first (seeqret describe lists them).');
    if (n === from) throw new SeeqretError('E_USAGE', `${n} is both generated and the --from source`, 'Generate the password first, then the hashes with --from.');
  }
  const groupNames = o.group ?? [];
  const targets: GenerationTarget[] = sel.names.length
    ? sel.names.map((n) => ({ variable: n, type: byName.get(n)!.description!.type, explicit: true }))
    : states
        .filter((s) => s.variable !== from)
        .filter((s) => groupNames.length === 0 || groupNames.includes(s.description!.group))
        .filter((s) => !o.undefined || !s.record)
        .filter(sel.keep)
        .map((s) => ({ variable: s.variable, type: s.description!.type, explicit: false }));
  if (groupNames.length) for (const gname of groupNames) if (!groups.some((gr) => gr.name === gname)) throw new SeeqretError('E_NOT_FOUND', `environment ${env} has no group ${gname}`, 'Run `seeqret groups list`.');
  const plan = planGeneration(targets, opts);
  if (plan.values.length === 0) {
    for (const s of plan.skipped) info(`  left unchanged: ${s.variable} (${s.type}): ${s.reason}`);
    info(`Nothing to ${verb} in environment ${env}`);
    return 0;
  }
  if (o.dryRun) {
    for (const x of plan.values) info(`would ${verb} ${x.variable} (${x.type})`);
  } else {
    const summary = v.setMany(
      plan.values.map((x) => ({ app: project.app, env, key: x.variable, value: x.value, type: x.type })),
      { update: true },
    );
    for (const x of summary.outcomes) {
      const type = plan.values.find((p) => p.variable === x.key)!.type;
      info(`${x.outcome === 'added' ? 'set' : x.outcome === 'updated' ? 'replaced' : x.outcome} ${secretLabel(x)} (${type})`);
    }
    info(`${verb === 'rotate' ? 'Rotated' : 'Generated'} ${plan.values.length} value(s) in environment ${env} (${summary.added} new, ${summary.updated} replaced; old values kept in history)`);
  }
  const shared = opts.unique ? 'one value per variable' : 'one value per type, shared (pass -U for one per variable)';
  const hashed = from !== undefined ? [...new Set(plan.values.filter((x) => x.type === 'crypt_6' || x.type === 'sha256_digest').map((x) => x.type))].map((t) => `${t} hashes the value of ${from}`) : [];
  info(`Entropy: ${[...[...plan.entropy].map(([t, b]) => `${t} ${b.toFixed(1)} bits`), ...hashed].join(', ')}; ${shared}`);
  for (const s of plan.skipped) info(`  left unchanged: ${s.variable} (${s.type}): ${s.reason}`);
  return 0;
}

/** `generate [VARS...] [-U] [-g GROUP...] [--undefined] [options] [-e ENV]`. */
export async function generate(g: GlobalOptions, names: string[], o: GenerateOptions): Promise<number> {
  const { project, env } = projectEnv(o);
  return withVault(g, (v) => run(v, project, env, o, { names, keep: () => true }, 'generate'));
}

/** `rotate [VARS...] [--exposed] [--older-than AGE] [--all] [options] [-e ENV]`. */
export async function rotate(g: GlobalOptions, names: string[], o: RotateOptions): Promise<number> {
  const { project, env } = projectEnv(o);
  const exposed = o.exposed === true;
  const olderThan = o.olderThan;
  if (names.length === 0 && !exposed && olderThan === undefined && !o.all) {
    throw new SeeqretError('E_USAGE', 'rotate needs to know what to rotate', 'Name variables, or pass --exposed, --older-than AGE (e.g. 90d) or --all.');
  }
  if (names.length > 0 && (exposed || olderThan !== undefined || o.all)) {
    throw new SeeqretError('E_USAGE', 'named variables cannot be combined with --exposed, --older-than or --all', 'Either name the variables or select them with the options.');
  }
  const cutoff = olderThan !== undefined ? parseSince(olderThan) : undefined;
  return withVault(g, (v) => {
    const sharesExposed = exposed ? exposedSiblings(v, project, env, o.user) : () => null;
    const keep = (s: VariableState): boolean => {
      if (o.all) return true;
      if (!s.record) return false;
      if ((exposed && s.record.exposedAt !== null) || (cutoff !== undefined && s.record.updatedAt < cutoff)) return true;
      const why = sharesExposed(s);
      if (why) info(`selected ${s.variable}: it ${why}`);
      return why !== null;
    };
    return run(v, project, env, o, { names, keep }, 'rotate');
  });
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
