/**
 * `seeqret set`: set variables of an environment by hand, all or nothing.
 *
 * `VAR=VALUE` (value as written, `@file`, `@-`, `!command`), bare `VAR` (a prompt on a terminal:
 * the description's Prompt, a menu of its Options), `--undefined`, `--from-options`,
 * `--from-env ENV`, `--ignore-missing`. Every value is checked against its description (boolean,
 * int, closed Options) before anything is written; nothing secret is printed.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { SeeqretError } from '../../../errors.js';
import { type Assignment, type ValueSource, parseAssignment, valueSource } from '../../../project/assign.js';
import { checkEnvironmentName } from '../../../project/project.js';
import { type VariableState, environmentGroups, environmentRecords, environmentVariables } from '../../../project/variables.js';
import { type VariableDescription, validateValue } from '../../../project/descriptions.js';
import { SECRET_TYPES, parseOptions } from '../../../project/secret-types.js';
import { decodeUtf8, readTextFileCapped } from '../../../util/read-capped.js';
import { LIMITS, tooLarge } from '../../../util/limits.js';
import { type SecretRecord, secretLabel } from '../../../vault/vault.js';
import { childEnvironment, closeInheritedDescriptors } from '../../../inject/child.js';
import { type GlobalOptions, info, promptAgain, promptHidden, promptSelect, readStdin, refuseEmpty, stdinIsTTY, withVault } from '../../context.js';
import { projectEnv } from '../../project-context.js';
import { io } from '../../cli-io.js';

const GENERABLE = new Set(SECRET_TYPES.filter((t) => t.generable).map((t) => t.name));

/** The value of a `@file`, `@-` or `!command` source (trimmed), or the literal text. */
async function resolveSource(src: ValueSource, variable: string): Promise<string> {
  switch (src.kind) {
    case 'literal':
      return src.value;
    case 'file': {
      const p = src.path === '~' || src.path.startsWith('~/') ? path.join(os.homedir(), src.path.slice(1)) : src.path;
      return readTextFileCapped(p, 'value', `the file for ${variable}`).trim();
    }
    case 'stdin':
      return decodeUtf8(await readStdin('value', `the value of ${variable} on stdin`), `the value of ${variable} on stdin`).trim();
    case 'command': {
      const [cmd, ...argv] = src.argv as [string, ...string[]];
      closeInheritedDescriptors();
      const r = spawnSync(cmd, argv, { shell: false, stdio: ['ignore', 'pipe', 'inherit'], env: childEnvironment(io().env), cwd: io().cwd, maxBuffer: LIMITS.value.bytes });
      if (r.error) {
        const code = (r.error as NodeJS.ErrnoException).code;
        if (code === 'ENOBUFS') throw tooLarge(`the output of the command for ${variable}`, 'value');
        throw new SeeqretError('E_COMMAND_FAILED', `the command for ${variable} (${cmd}) could not run: ${code === 'ENOENT' ? 'not found' : (code ?? r.error.message)}`, 'Check the command name and PATH (it runs without a shell).');
      }
      if (r.status !== 0) {
        throw new SeeqretError('E_COMMAND_FAILED', `the command for ${variable} (${cmd}) ${r.signal ? `was killed by ${r.signal}` : `exited with status ${r.status}`}; nothing was set`, 'Run the command by hand to see why it fails.');
      }
      return decodeUtf8(r.stdout, `the output of the command for ${variable}`).trim();
    }
  }
}

const OTHER = '\u0000other';
const CANCEL = '\u0000cancel';

/**
 * Ask for a value on the terminal: a menu of the Options (with "another value" when `*` is
 * listed), else hidden input where `@file` and `!command` also work. `null` = leave unchanged.
 */
async function ask(d: VariableDescription, current: boolean, literal: boolean): Promise<string | null> {
  const options = d.options ?? parseOptions(d.optionsText ?? '', d.type);
  const message = d.prompt ?? d.variable;
  if (options.choices.length > 0) {
    const choices = [
      ...options.choices.map((c) => ({ name: c, value: c })),
      ...(options.freeText ? [{ name: '(another value)', value: OTHER }] : []),
      { name: `(leave ${current ? 'unchanged' : 'unset'})`, value: CANCEL },
    ];
    const picked = await promptSelect(message, choices, options.default);
    if (picked === CANCEL) return null;
    if (picked !== OTHER) return picked;
  }
  const typed = await promptHidden(`${message} (hidden; empty leaves it ${current ? 'unchanged' : 'unset'}${literal ? '' : '; @file and !command work'})`);
  if (typed === '') return null;
  // Typed blind: asked a second time to catch a typo (an empty first answer needs no check).
  await promptAgain(message, typed, d.variable);
  return resolveSource(valueSource(typed, literal), d.variable);
}

interface Planned {
  readonly variable: string;
  readonly description: VariableDescription;
  /** How to get the value. */
  readonly how: { kind: 'source'; src: ValueSource } | { kind: 'copy'; from: SecretRecord } | { kind: 'value'; value: string } | { kind: 'prompt' };
}

/** Options of `seeqret set`. */
export interface SetOptions {
  /** `--undefined`: only variables without a value. */
  readonly undefined?: boolean;
  /** `--from-options`: set variables to their description's default option. */
  readonly fromOptions?: boolean;
  /** `--from-env ENV`: copy values from another environment. */
  readonly fromEnv?: string;
  /** `--ignore-missing`: skip variables without a description (or source value). */
  readonly ignoreMissing?: boolean;
  /** `--literal`: take values as written (no @file, !command). */
  readonly literal?: boolean;
  /** `--allow-empty`: store empty values. */
  readonly allowEmpty?: boolean;
  /** `-e/--env ENV`: the environment. */
  readonly env?: string;
}

/** `set [VAR=VALUE | VAR]... [--undefined] [--from-options] [--from-env ENV] [--ignore-missing] [--literal] [-e ENV]`. */
export async function set(g: GlobalOptions, words: string[], o: SetOptions): Promise<number> {
  const { project, env } = projectEnv(o);
  const assignments: Assignment[] = words.map(parseAssignment);
  const fromEnv = o.fromEnv !== undefined ? checkEnvironmentName(o.fromEnv) : undefined;
  const fromOptions = o.fromOptions === true;
  const undefinedOnly = o.undefined === true;
  const ignoreMissing = o.ignoreMissing === true;
  const literal = o.literal === true;
  // VAR=, an empty file, empty stdin or a command that printed nothing: refused unless
  // --allow-empty (psec stores ""). Copies (--from-env) and default options are taken as they are.
  const allowEmpty = o.allowEmpty === true;
  if (fromEnv !== undefined && fromOptions) throw new SeeqretError('E_USAGE', '--from-env and --from-options cannot be combined', 'Use one of them.');
  if (fromEnv === env) throw new SeeqretError('E_USAGE', `--from-env names the environment being set (${env})`, 'Name another environment.');
  if (assignments.length === 0 && !undefinedOnly && !fromOptions && fromEnv === undefined) {
    throw new SeeqretError('E_USAGE', 'no variables to set', 'Pass VAR=VALUE or VAR, or --undefined, --from-options or --from-env ENV.');
  }
  const seen = new Set<string>();
  for (const a of assignments) {
    if (seen.has(a.variable)) throw new SeeqretError('E_USAGE', `${a.variable} is given twice`, 'Set each variable once.');
    seen.add(a.variable);
  }
  if (assignments.filter((a) => a.value !== undefined && !literal && a.value === '@-').length > 1) {
    throw new SeeqretError('E_USAGE', 'only one value can be read from stdin (@-)', 'Set the others from files or arguments.');
  }

  return withVault(g, async (v) => {
    const groups = environmentGroups(project, env);
    const states = environmentVariables(v, project, env, groups);
    const byName = new Map<string, VariableState>(states.map((s) => [s.variable, s]));
    const source = fromEnv !== undefined ? new Map(environmentRecords(v, project, fromEnv).map((r) => [r.key, r])) : undefined;

    // Which variables, and how each gets its value. Nothing is read or run yet.
    const chosen: Assignment[] =
      assignments.length > 0 ? assignments : states.filter((s) => s.description !== undefined).map((s) => ({ variable: s.variable }));
    const plan: Planned[] = [];
    for (const a of chosen) {
      const state = byName.get(a.variable);
      const d = state?.description;
      if (!d) {
        if (ignoreMissing) {
          info(`skipped ${a.variable}: no description in environment ${env} (--ignore-missing)`);
          continue;
        }
        throw new SeeqretError('E_NOT_DESCRIBED', `variable ${a.variable} has no description in environment ${env}`, 'Describe it in a group file (seeqret groups create), or pass --ignore-missing to skip it.');
      }
      if (undefinedOnly && state?.record) continue;
      const named = assignments.length > 0;
      if (fromOptions) {
        if (a.value !== undefined) throw new SeeqretError('E_USAGE', `${a.variable}=…: --from-options takes variable names only`, 'Drop the =VALUE part.');
        // Unlike psec, a value already set is kept unless the variable is named.
        if (!named && state?.record) continue;
        if (GENERABLE.has(d.type)) {
          if (named) info(`skipped ${a.variable}: ${d.type} is generated (seeqret generate), not set from options`);
          continue;
        }
        const def = (d.options ?? parseOptions(d.optionsText ?? '', d.type)).default;
        if (def === undefined) {
          if (named) throw new SeeqretError('E_USAGE', `${a.variable} has no default option`, 'Its Options must start with a value other than "*"; or set it with VAR=VALUE.');
          continue;
        }
        plan.push({ variable: a.variable, description: d, how: { kind: 'value', value: def } });
      } else if (source !== undefined) {
        const from = a.value ?? a.variable;
        const rec = source.get(from);
        if (!rec) {
          if (ignoreMissing || !named) {
            info(`skipped ${a.variable}: ${from} has no value in environment ${fromEnv}`);
            continue;
          }
          throw new SeeqretError('E_NOT_FOUND', `${from} has no value in environment ${fromEnv}`, 'Pass --ignore-missing to skip the variables the other environment lacks.');
        }
        plan.push({ variable: a.variable, description: d, how: { kind: 'copy', from: rec } });
      } else if (a.value !== undefined) {
        plan.push({ variable: a.variable, description: d, how: { kind: 'source', src: valueSource(a.value, literal) } });
      } else {
        plan.push({ variable: a.variable, description: d, how: { kind: 'prompt' } });
      }
    }
    const prompts = plan.filter((p) => p.how.kind === 'prompt');
    if (prompts.length > 0 && !stdinIsTTY()) {
      const list = prompts.slice(0, 10).map((p) => p.variable).join(', ') + (prompts.length > 10 ? ', …' : '');
      throw new SeeqretError('E_NO_TTY', `cannot ask for ${list}: not a terminal (nothing was set)`, 'Pass VAR=VALUE, VAR=@FILE or VAR=@- (stdin), or run in a terminal.');
    }

    // Gather every value (files, commands, prompts), validate all, then write all at once.
    const values: Array<{ variable: string; type: string; value: string }> = [];
    const copied: SecretRecord[] = [];
    for (const p of plan) {
      let value: string | null;
      switch (p.how.kind) {
        case 'value':
          value = p.how.value;
          break;
        case 'copy':
          value = v.reveal(p.how.from);
          copied.push(p.how.from);
          break;
        case 'source':
          value = refuseEmpty(await resolveSource(p.how.src, p.variable), p.variable, allowEmpty);
          break;
        case 'prompt':
          value = await ask(p.description, byName.get(p.variable)?.record !== undefined, literal);
          if (value === null) info(`left ${p.variable} ${byName.get(p.variable)?.record ? 'unchanged' : 'unset'}`);
          else refuseEmpty(value, p.variable, allowEmpty);
          break;
      }
      if (value === null) continue;
      const why = validateValue(p.description, value);
      if (why) throw new SeeqretError('E_BAD_VALUE', `the value for ${p.variable} ${why} (${p.description.type}); nothing was set`, 'Give a value the description accepts (seeqret describe shows Type and Options).');
      values.push({ variable: p.variable, type: p.description.type, value });
    }
    if (copied.length) v.auditReads(copied, `set --from-env ${fromEnv ?? ''}`.trim());
    if (values.length === 0) {
      info(`Nothing set in environment ${env}`);
      return 0;
    }
    const summary = v.setMany(values.map((x) => ({ app: project.app, env, key: x.variable, value: x.value, type: x.type })), { update: true });
    for (const x of summary.outcomes) info(`${x.outcome === 'added' ? 'set' : x.outcome === 'updated' ? 'replaced' : x.outcome} ${secretLabel(x)}`);
    info(`Set ${summary.added + summary.updated} variable(s) in environment ${env}${summary.unchanged ? ` (${summary.unchanged} unchanged)` : ''}`);
    return 0;
  });
}
