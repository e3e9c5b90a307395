/**
 * `seeqret set`: set variables of an environment by hand, all or nothing — the option parsing,
 * the prompts and the report of the `set` use case (src/project/set.ts).
 *
 * `VAR=VALUE` (value as written, `@file`, `@-`, `!command`), bare `VAR` (a prompt on a terminal:
 * the description's Prompt, a menu of its Options), `--undefined`, `--from-options`,
 * `--from-env ENV`, `--ignore-missing`.
 *
 * @module
 */
import { parseAssignment, valueSource } from '../../../project/assign.js';
import { checkEnvironmentName } from '../../../project/project.js';
import type { VariableDescription } from '../../../project/descriptions.js';
import { parseOptions } from '../../../project/secret-types.js';
import { type SetRequest, type SourceIo, checkSetRequest, resolveValueSource, setVariables } from '../../../project/set.js';
import { secretLabel } from '../../../vault/vault.js';
import { type GlobalOptions, info, promptAgain, promptHidden, promptSelect, readStdin, stdinIsTTY, withVault } from '../../context.js';
import { projectEnv } from '../../project-context.js';
import { io } from '../../cli-io.js';

const OTHER = '\u0000other';
const CANCEL = '\u0000cancel';

/**
 * Ask for a value on the terminal: a menu of the Options (with "another value" when `*` is
 * listed), else hidden input where `@file` and `!command` also work. `null` = leave unchanged.
 */
async function ask(d: VariableDescription, current: boolean, literal: boolean, io: SourceIo): Promise<string | null> {
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
  return resolveValueSource(valueSource(typed, literal), d.variable, io);
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
  /** `--literal`: take values as written (no `@file`, `!command`). */
  readonly literal?: boolean;
  /** `--allow-empty`: store empty values. */
  readonly allowEmpty?: boolean;
  /** `-e/--env ENV`: the environment. */
  readonly env?: string;
}

/** `set [VAR=VALUE | VAR]... [--undefined] [--from-options] [--from-env ENV] [--ignore-missing] [--literal] [-e ENV]`. */
export async function set(g: GlobalOptions, words: string[], o: SetOptions): Promise<number> {
  const { project, env } = projectEnv(o);
  const literal = o.literal === true;
  const req: SetRequest = {
    assignments: words.map(parseAssignment),
    fromEnv: o.fromEnv !== undefined ? checkEnvironmentName(o.fromEnv) : undefined,
    fromOptions: o.fromOptions === true,
    undefinedOnly: o.undefined === true,
    ignoreMissing: o.ignoreMissing === true,
    literal,
    allowEmpty: o.allowEmpty === true,
  };
  checkSetRequest(env, req);
  const source: SourceIo = { readStdin: (what) => readStdin('value', what), env: io().env };
  return withVault(g, async (v) => {
    const s = await setVariables(v, project, env, req, {
      ...source,
      info,
      ask: stdinIsTTY() ? (d, current) => ask(d, current, literal, source) : undefined,
    });
    if (s.outcomes.length === 0) {
      info(`Nothing set in environment ${env}`);
      return 0;
    }
    for (const x of s.outcomes) info(`${x.outcome === 'added' ? 'set' : x.outcome === 'updated' ? 'replaced' : x.outcome} ${secretLabel(x)}`);
    info(`Set ${String(s.added + s.updated)} variable(s) in environment ${env}${s.unchanged ? ` (${String(s.unchanged)} unchanged)` : ''}`);
    return 0;
  });
}
