/**
 * `seeqret generate` and `seeqret rotate`: the option parsing of the use cases in
 * src/project/generate.ts (typed values for an environment's variables, written with history).
 *
 * @module
 */
import { SeeqretError } from '../../../errors.js';
import type { GenerationOptions } from '../../../project/generation.js';
import { type GenerateRequest, type RotateSelection, checkRotate, generateValues, rotateValues } from '../../../project/generate.js';
import type { PasswordCase, PasswordOptions } from '../../../project/password.js';
import { type GlobalOptions, info, withVault } from '../../context.js';
import { type EnvOption, projectEnv } from '../../project-context.js';
import { parseSince } from '../sharing/audit.js';

/** An integer option (`--length 16`), strictly decimal. */
export function intOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const s = text;
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

/** The request from the command line. */
function request(names: string[], o: GenerateOptions): GenerateRequest {
  return { names, groups: o.group ?? [], undefinedOnly: o.undefined === true, from: o.from, dryRun: o.dryRun === true, options: generationOptions(o) };
}

/** `generate [VARS...] [-U] [-g GROUP...] [--undefined] [options] [-e ENV]`. */
export async function generate(g: GlobalOptions, names: string[], o: GenerateOptions): Promise<number> {
  const { project, env } = projectEnv(o);
  const req = request(names, o);
  return withVault(g, (v) => (generateValues(v, project, env, req, { info }), 0));
}

/** `rotate [VARS...] [--exposed] [--older-than AGE] [--all] [options] [-e ENV]`. */
export async function rotate(g: GlobalOptions, names: string[], o: RotateOptions): Promise<number> {
  const { project, env } = projectEnv(o);
  checkRotate(names, o.exposed === true || o.olderThan !== undefined || o.all === true);
  const sel: RotateSelection = { exposed: o.exposed === true, all: o.all === true, olderThan: o.olderThan !== undefined ? parseSince(o.olderThan) : undefined };
  const req = request(names, o);
  return withVault(g, (v) => (rotateValues(v, project, env, req, sel, { info }), 0));
}
