/**
 * What `seeqret generate` and `seeqret rotate` write: a value for each selected variable of a
 * generable type, following psec's rules without its bugs.
 *
 * - **Shared by default** (psec's "break-glass" simplification): one value is generated per type
 *   and every selected variable of that type gets it. With `unique`, every variable gets its own.
 * - **Never touches what cannot be generated**: `string` and `boolean` variables are left alone
 *   (psec blanks every `string`); `int` variables too, unless named explicitly.
 * - **Hashes hash a known password**: `crypt_6` and `sha256_digest` hash the value of `fromValue`
 *   (`--from VAR`) when given, else the password this same run writes to its `password` variables
 *   (shared mode only), so the hash matches a password somebody has. Without such a password the
 *   variable is left unchanged (or, when named explicitly, it is an error). `sha256_digest` also
 *   needs `user`.
 *
 * Values are never printed or put in messages.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { SECRET_TYPES } from './secret-types.js';
import { type GenerateOptions, entropyBits, generate } from './generators.js';
import { type PasswordOptions } from './password.js';

/** How to generate. */
export interface GenerationOptions {
  /** One value per variable instead of one per type. */
  readonly unique?: boolean;
  /** Password style (words, acrostic, case, delimiter, word lengths). */
  readonly password?: PasswordOptions;
  /** Tokens: bytes; `random`: characters. */
  readonly length?: number;
  /** `int`: range. */
  readonly min?: number;
  readonly max?: number;
  /** `sha256_digest`: the user name. */
  readonly user?: string;
  /** `crypt_6`: rounds. */
  readonly rounds?: number;
  /** `crypt_6` / `sha256_digest`: hash this password (the value of `--from VAR`). */
  readonly fromValue?: string;
}

/** A variable to consider. */
export interface GenerationTarget {
  readonly variable: string;
  readonly type: string;
  /** Named on the command line (errors instead of skips; `int` is generated). */
  readonly explicit: boolean;
}

/** The outcome of planning. */
export interface GenerationPlan {
  /** Values to write, in target order. */
  readonly values: ReadonlyArray<{ variable: string; type: string; value: string }>;
  /** Variables left unchanged, with the reason (never a value). */
  readonly skipped: ReadonlyArray<{ variable: string; type: string; reason: string }>;
  /** Entropy of each generated type, in bits (a hash of the password generated in the run: that password's; a hash of `fromValue`: absent). */
  readonly entropy: ReadonlyMap<string, number>;
}

const GENERABLE = new Set(SECRET_TYPES.filter((t) => t.generable).map((t) => t.name));
const HASHES = new Set(['crypt_6', 'sha256_digest']);

function optionsFor(type: string, o: GenerationOptions, password?: string): GenerateOptions {
  switch (type) {
    case 'password':
      return o.password ? { passwordOptions: o.password } : {};
    case 'token_hex':
    case 'token_urlsafe':
    case 'token_base64':
    case 'random_base64':
    case 'random':
      return o.length !== undefined ? { length: o.length } : {};
    case 'int':
      return { ...(o.min !== undefined ? { min: o.min } : {}), ...(o.max !== undefined ? { max: o.max } : {}) };
    case 'crypt_6':
      return { ...(password !== undefined ? { password } : {}), ...(o.rounds !== undefined ? { rounds: o.rounds } : {}) };
    case 'sha256_digest':
      return { ...(o.user !== undefined ? { user: o.user } : {}), ...(password !== undefined ? { password } : {}) };
    default:
      return {};
  }
}

/**
 * Decide the values for `targets` (see the module documentation). Nothing is written here.
 *
 * @throws SeeqretError `E_USAGE` for an explicitly named variable that cannot be generated
 *   (`string`, `boolean`, a hash without a password or user) or for invalid options.
 */
export function planGeneration(targets: readonly GenerationTarget[], o: GenerationOptions = {}): GenerationPlan {
  const values: Array<{ variable: string; type: string; value: string }> = [];
  const skipped: Array<{ variable: string; type: string; reason: string }> = [];
  const entropy = new Map<string, number>();
  const shared = new Map<string, string>();
  const hasPasswordVariable = targets.some((t) => t.type === 'password');
  const skip = (t: GenerationTarget, reason: string): void => {
    if (t.explicit) throw new SeeqretError('E_USAGE', `${t.variable} (${t.type}) cannot be generated: ${reason}`, fixFor(t.type));
    skipped.push({ variable: t.variable, type: t.type, reason });
  };
  const one = (type: string, password?: string): string => generate(type, optionsFor(type, o, password));
  for (const t of targets) {
    if (!GENERABLE.has(t.type) && !(t.type === 'int' && t.explicit)) {
      skip(t, t.type === 'int' ? 'an int is generated only when named' : 'it is set by hand (seeqret set)');
      continue;
    }
    if (HASHES.has(t.type)) {
      if (t.type === 'sha256_digest' && o.user === undefined) {
        skip(t, 'it needs the user name (--user NAME)');
        continue;
      }
      let password = o.fromValue;
      if (password === undefined) {
        if (o.unique || !hasPasswordVariable) {
          skip(t, o.unique ? 'with --unique there is no single password to hash: pass --from VAR' : 'no password variable is generated in this run: pass --from VAR');
          continue;
        }
        password = shared.get('password') ?? one('password');
        shared.set('password', password);
      }
      if (o.fromValue === undefined) entropy.set(t.type, entropyBits('password', optionsFor('password', o)));
      const value = o.unique ? one(t.type, password) : (shared.get(t.type) ?? one(t.type, password));
      if (!o.unique) shared.set(t.type, value);
      values.push({ variable: t.variable, type: t.type, value });
      continue;
    }
    entropy.set(t.type, entropyBits(t.type, optionsFor(t.type, o)));
    const value = o.unique ? one(t.type) : (shared.get(t.type) ?? one(t.type));
    if (!o.unique) shared.set(t.type, value);
    values.push({ variable: t.variable, type: t.type, value });
  }
  return { values, skipped, entropy };
}

function fixFor(type: string): string {
  if (type === 'sha256_digest') return 'Pass --user NAME, and --from VAR or a password variable in the same run.';
  if (type === 'crypt_6') return 'Pass --from VAR (the variable holding the password), or generate it together with a password variable without -U.';
  return 'Set it with `seeqret set VAR=VALUE` instead.';
}
