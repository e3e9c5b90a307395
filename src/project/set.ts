/**
 * The `set` use case: set variables of an environment by hand, all or nothing. Each variable gets
 * its value from a source (`VAR=VALUE`, `@file`, `@-`, `!command`), a copy from another
 * environment, its description's default option, or — through the injected `ask` — a person.
 * Every value is checked against its description (boolean, int, closed Options) before anything
 * is written; nothing secret is reported. Nothing here touches `process` or a terminal: stdin,
 * the environment commands run with and the prompt come in through {@link SetIo}.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { SeeqretError } from '../errors.js';
import type { Notes } from '../notes.js';
import { type Assignment, type ValueSource, valueSource } from './assign.js';
import type { Project } from './project.js';
import { type VariableState, environmentGroups, environmentRecords, environmentVariables } from './variables.js';
import { type VariableDescription, validateValue } from './descriptions.js';
import { SECRET_TYPES, parseOptions } from './secret-types.js';
import { decodeUtf8, readTextFileCapped } from '../util/read-capped.js';
import { LIMITS, tooLarge } from '../util/limits.js';
import type { ImportSummary, SecretRecord, Vault } from '../vault/vault.js';
import { childEnvironment, closeInheritedDescriptors } from '../inject/child.js';

const GENERABLE = new Set(SECRET_TYPES.filter((t) => t.generable).map((t) => t.name));

/** Where values come from besides the words: stdin (`@-`) and the environment `!command` runs with. */
export interface SourceIo {
  /** Read all of stdin (`what` names it in a size error). */
  readStdin(what: string): Promise<Buffer>;
  /** The environment of the caller; `!command` runs with it, minus seeqret's own secrets. */
  readonly env: NodeJS.ProcessEnv;
}

/** What `set` needs from its caller. */
export interface SetIo extends SourceIo, Pick<Notes, 'info'> {
  /**
   * Ask a person for the value of a described variable (`current`: it has one now): the value,
   * or `null` to leave it as it is. Absent when nobody can be asked (not a terminal).
   */
  readonly ask?: ((d: VariableDescription, current: boolean) => Promise<string | null>) | undefined;
}

/** What to set. */
export interface SetRequest {
  /** `VAR=VALUE` or bare `VAR` (ask), as parsed. */
  readonly assignments: readonly Assignment[];
  /** Only variables without a value. */
  readonly undefinedOnly?: boolean;
  /** Set variables to their description's default option. */
  readonly fromOptions?: boolean;
  /** Copy values from this environment. */
  readonly fromEnv?: string | undefined;
  /** Skip variables without a description (or source value) instead of failing. */
  readonly ignoreMissing?: boolean;
  /** Take values as written (no `@file`, `!command`). */
  readonly literal?: boolean;
  /** Store empty values (else `E_EMPTY_VALUE`). */
  readonly allowEmpty?: boolean;
}

/** `value`, or `E_EMPTY_VALUE` when it is empty and empty values were not asked for. */
export function refuseEmptyValue(value: string, what: string, allowEmpty: boolean): string {
  if (value === '' && !allowEmpty) {
    throw new SeeqretError('E_EMPTY_VALUE', `the value for ${what} is empty; nothing was stored`, 'Give the value (argument, stdin or the prompt); to store an empty value on purpose, add --allow-empty.');
  }
  return value;
}

/** The value of a `@file`, `@-` or `!command` source (trimmed), or the literal text. */
export async function resolveValueSource(src: ValueSource, variable: string, io: SourceIo): Promise<string> {
  switch (src.kind) {
    case 'literal':
      return src.value;
    case 'file': {
      const p = src.path === '~' || src.path.startsWith('~/') ? path.join(os.homedir(), src.path.slice(1)) : src.path;
      return readTextFileCapped(p, 'value', `the file for ${variable}`).trim();
    }
    case 'stdin':
      return decodeUtf8(await io.readStdin(`the value of ${variable} on stdin`), `the value of ${variable} on stdin`).trim();
    case 'command': {
      const [cmd, ...argv] = src.argv as [string, ...string[]];
      closeInheritedDescriptors();
      const r = spawnSync(cmd, argv, { shell: false, stdio: ['ignore', 'pipe', 'inherit'], env: childEnvironment(io.env), maxBuffer: LIMITS.value.bytes });
      if (r.error) {
        const code = (r.error as NodeJS.ErrnoException).code;
        if (code === 'ENOBUFS') throw tooLarge(`the output of the command for ${variable}`, 'value');
        throw new SeeqretError('E_COMMAND_FAILED', `the command for ${variable} (${cmd}) could not run: ${code === 'ENOENT' ? 'not found' : (code ?? r.error.message)}`, 'Check the command name and PATH (it runs without a shell).');
      }
      if (r.status !== 0) {
        throw new SeeqretError('E_COMMAND_FAILED', `the command for ${variable} (${cmd}) ${r.signal ? `was killed by ${r.signal}` : `exited with status ${String(r.status)}`}; nothing was set`, 'Run the command by hand to see why it fails.');
      }
      return decodeUtf8(r.stdout, `the output of the command for ${variable}`).trim();
    }
  }
}

/** Refuse, before the vault is opened, a request that cannot be right. */
export function checkSetRequest(env: string, req: SetRequest): void {
  if (req.fromEnv !== undefined && req.fromOptions) throw new SeeqretError('E_USAGE', '--from-env and --from-options cannot be combined', 'Use one of them.');
  if (req.fromEnv === env) throw new SeeqretError('E_USAGE', `--from-env names the environment being set (${env})`, 'Name another environment.');
  if (req.assignments.length === 0 && !req.undefinedOnly && !req.fromOptions && req.fromEnv === undefined) {
    throw new SeeqretError('E_USAGE', 'no variables to set', 'Pass VAR=VALUE or VAR, or --undefined, --from-options or --from-env ENV.');
  }
  const seen = new Set<string>();
  for (const a of req.assignments) {
    if (seen.has(a.variable)) throw new SeeqretError('E_USAGE', `${a.variable} is given twice`, 'Set each variable once.');
    seen.add(a.variable);
  }
  if (req.assignments.filter((a) => a.value !== undefined && !req.literal && a.value === '@-').length > 1) {
    throw new SeeqretError('E_USAGE', 'only one value can be read from stdin (@-)', 'Set the others from files or arguments.');
  }
}

interface Planned {
  readonly variable: string;
  readonly description: VariableDescription;
  /** How to get the value. */
  readonly how: { kind: 'source'; src: ValueSource } | { kind: 'copy'; from: SecretRecord } | { kind: 'value'; value: string } | { kind: 'prompt' };
}

/** Which variables, and how each gets its value. Nothing is read or run yet. */
function planSet(states: readonly VariableState[], source: Map<string, SecretRecord> | undefined, env: string, req: SetRequest, io: Pick<Notes, 'info'>): Planned[] {
  const byName = new Map<string, VariableState>(states.map((s) => [s.variable, s]));
  const named = req.assignments.length > 0;
  const chosen: readonly Assignment[] = named ? req.assignments : states.filter((s) => s.description !== undefined).map((s) => ({ variable: s.variable }));
  const plan: Planned[] = [];
  for (const a of chosen) {
    const state = byName.get(a.variable);
    const d = state?.description;
    if (!d) {
      if (req.ignoreMissing) {
        io.info(`skipped ${a.variable}: no description in environment ${env} (--ignore-missing)`);
        continue;
      }
      throw new SeeqretError('E_NOT_DESCRIBED', `variable ${a.variable} has no description in environment ${env}`, 'Describe it in a group file (seeqret groups create), or pass --ignore-missing to skip it.');
    }
    if (req.undefinedOnly && state.record) continue;
    if (req.fromOptions) {
      if (a.value !== undefined) throw new SeeqretError('E_USAGE', `${a.variable}=…: --from-options takes variable names only`, 'Drop the =VALUE part.');
      // Unlike psec, a value already set is kept unless the variable is named.
      if (!named && state.record) continue;
      if (GENERABLE.has(d.type)) {
        if (named) io.info(`skipped ${a.variable}: ${d.type} is generated (seeqret generate), not set from options`);
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
        if (req.ignoreMissing || !named) {
          io.info(`skipped ${a.variable}: ${from} has no value in environment ${req.fromEnv ?? ''}`);
          continue;
        }
        throw new SeeqretError('E_NOT_FOUND', `${from} has no value in environment ${req.fromEnv ?? ''}`, 'Pass --ignore-missing to skip the variables the other environment lacks.');
      }
      plan.push({ variable: a.variable, description: d, how: { kind: 'copy', from: rec } });
    } else if (a.value !== undefined) {
      plan.push({ variable: a.variable, description: d, how: { kind: 'source', src: valueSource(a.value, req.literal === true) } });
    } else {
      plan.push({ variable: a.variable, description: d, how: { kind: 'prompt' } });
    }
  }
  return plan;
}

/**
 * Set variables of `env`: plan (which variables, from where), refuse prompts nobody can answer
 * (`E_NO_TTY`), gather and validate every value, then write them all at once (old values go to
 * history). Empty values are refused unless `allowEmpty` (psec stores ""); copies and default
 * options are taken as they are. Nothing written gives a summary with no outcomes.
 */
export async function setVariables(v: Vault, project: Project, env: string, req: SetRequest, io: SetIo): Promise<ImportSummary> {
  const states = environmentVariables(v, project, env, environmentGroups(project, env));
  const current = new Set(states.filter((s) => s.record).map((s) => s.variable));
  const source = req.fromEnv !== undefined ? new Map(environmentRecords(v, project, req.fromEnv).map((r) => [r.key, r])) : undefined;
  const plan = planSet(states, source, env, req, io);
  const prompts = plan.filter((p) => p.how.kind === 'prompt');
  const ask = io.ask;
  if (prompts.length > 0 && !ask) {
    const list = prompts.slice(0, 10).map((p) => p.variable).join(', ') + (prompts.length > 10 ? ', …' : '');
    throw new SeeqretError('E_NO_TTY', `cannot ask for ${list}: not a terminal (nothing was set)`, 'Pass VAR=VALUE, VAR=@FILE or VAR=@- (stdin), or run in a terminal.');
  }
  const allowEmpty = req.allowEmpty === true;
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
        value = refuseEmptyValue(await resolveValueSource(p.how.src, p.variable, io), p.variable, allowEmpty);
        break;
      case 'prompt':
        value = ask ? await ask(p.description, current.has(p.variable)) : null;
        if (value === null) io.info(`left ${p.variable} ${current.has(p.variable) ? 'unchanged' : 'unset'}`);
        else refuseEmptyValue(value, p.variable, allowEmpty);
        break;
    }
    if (value === null) continue;
    const why = validateValue(p.description, value);
    if (why) throw new SeeqretError('E_BAD_VALUE', `the value for ${p.variable} ${why} (${p.description.type}); nothing was set`, 'Give a value the description accepts (seeqret describe shows Type and Options).');
    values.push({ variable: p.variable, type: p.description.type, value });
  }
  if (copied.length) v.auditReads(copied, `set --from-env ${req.fromEnv ?? ''}`.trim());
  if (values.length === 0) return { added: 0, updated: 0, unchanged: 0, skipped: 0, older: 0, outcomes: [] };
  return v.setMany(values.map((x) => ({ app: project.app, env, key: x.variable, value: x.value, type: x.type })), { update: true });
}
