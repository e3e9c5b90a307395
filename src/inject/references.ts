/**
 * Resolving secret references (./reference.ts) against an open vault, for `seeqret run`,
 * `seeqret inject` and `seeqret/config`. All or nothing: every reference is checked first, and
 * every one that cannot be resolved is named in one error (where it is and the reference, never
 * a value); only then are values decrypted.
 *
 * A reference names exactly one secret: no filter, no fallback to global names. A name received
 * from someone else and not accepted yet is not resolved (the accepted-names rule, decision 61).
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { type SecretRecord, type Vault, secretLabel } from '../vault/vault.js';
import { isCodeLoadingVariable } from './code-loading-variables.js';
import { isReference, parseReference, shownReference } from './reference.js';

/** The app and environment a short reference (`seeqret://KEY`) stands in. */
export interface ReferenceDefaults {
  /** The project's app. */
  readonly app: string;
  /** The selected environment. */
  readonly env: string;
}

/**
 * Gives the defaults for short references; called only when one occurs. It throws when there are
 * none (outside a project, no environment selected): that becomes the reference's problem.
 */
export type DefaultsSource = () => ReferenceDefaults;

/** One occurrence of a reference. */
export interface ReferenceUse {
  /** The reference's text. */
  readonly text: string;
  /** Where it is, for messages: `config.tpl:3`, `.env:2 (DB_URL)`, `environment variable DB_URL`. */
  readonly where: string;
}

/** What {@link resolveReferences} found. */
export interface ResolvedReferences {
  /** Reference text → value. */
  readonly values: Map<string, string>;
  /** The secrets read (each once), for the audit log. */
  readonly records: SecretRecord[];
}

/** The most problems one error lists (the message says how many more). */
const MAX_LISTED = 100;

/** Outside a project (or with no environment selected) short references cannot be resolved. */
export function noDefaults(why: string): DefaultsSource {
  return () => {
    throw new SeeqretError('E_NO_PROJECT', why, 'Write seeqret://APP/ENV/KEY, or work inside a project (seeqret.yaml).');
  };
}

/**
 * Resolve every reference of `uses` in `vault`.
 *
 * @param malformed - Problems the caller found already (listed first in the error).
 * @throws SeeqretError `E_REFERENCE_UNRESOLVED` naming every reference that is malformed, short
 *   without a project, names no secret, or names a secret not accepted yet.
 */
export function resolveReferences(vault: Vault, uses: readonly ReferenceUse[], defaults: DefaultsSource, malformed: readonly string[] = []): ResolvedReferences {
  const values = new Map<string, string>();
  if (uses.length === 0 && malformed.length === 0) return { values, records: [] };
  vault.checkIntegrity(['secrets']);
  const found = new Map<string, SecretRecord>();
  const problems: string[] = [...malformed];
  let pendingExample: SecretRecord | undefined;
  let fixed: ReferenceDefaults | undefined;
  for (const use of uses) {
    const shown = `${use.where}: ${shownReference(use.text)}`;
    if (found.has(use.text)) continue;
    let app: string;
    let env: string;
    let key: string;
    try {
      const ref = parseReference(use.text);
      key = ref.key;
      if (ref.app === undefined || ref.env === undefined) {
        fixed ??= defaults();
        ({ app, env } = fixed);
      } else {
        ({ app, env } = ref);
      }
    } catch (e) {
      if (!(e instanceof SeeqretError)) throw e;
      problems.push(`${shown} (${e.code === 'E_REFERENCE_SYNTAX' ? e.message.slice(e.message.indexOf(': ') + 2) : e.message})`);
      continue;
    }
    const record = vault.lookup(app, env, key);
    if (record === undefined) {
      problems.push(`${shown} (no secret ${app}:${env}:${key})`);
    } else if (record.pending) {
      pendingExample ??= record;
      problems.push(`${shown} (${secretLabel(record)} was received from someone else and is not accepted yet)`);
    } else {
      found.set(use.text, record);
    }
  }
  if (problems.length > 0) {
    const listed = problems.slice(0, MAX_LISTED).join('; ') + (problems.length > MAX_LISTED ? `; … (${problems.length - MAX_LISTED} more)` : '');
    throw new SeeqretError(
      'E_REFERENCE_UNRESOLVED',
      `${problems.length} reference${problems.length === 1 ? '' : 's'} cannot be resolved: ${listed}`,
      pendingExample
        ? `Review received names, then \`seeqret accept ${secretLabel(pendingExample)}\`; add missing secrets (seeqret add key) or fix the references.`
        : 'Add the missing secrets (seeqret add key), or fix the references (seeqret://APP/ENV/KEY, or seeqret://KEY inside a project).',
    );
  }
  const records = new Map<number, SecretRecord>();
  for (const [text, record] of found) {
    values.set(text, vault.reveal(record));
    records.set(record.id, record);
  }
  return { values, records: [...records.values()] };
}

/**
 * The variables of `env` whose value is a reference, as uses. A reference may not set a variable
 * that changes how programs load or run code (`NODE_OPTIONS`, `LD_PRELOAD`, …).
 *
 * @param where - How to name a variable's place in messages.
 * @throws SeeqretError `E_BAD_VALUE` for a reference in a code-loading variable.
 */
export function environmentReferences(env: Readonly<Record<string, string | undefined>>, where: (name: string) => string): ReferenceUse[] {
  const uses: ReferenceUse[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !isReference(value)) continue;
    if (isCodeLoadingVariable(name)) {
      throw new SeeqretError(
        'E_BAD_VALUE',
        `${where(name)} holds a secret reference, and ${name} changes how programs load or run code; seeqret does not set it from a reference`,
        `Set ${name} where the program is started, or name it on its own env.template line: ${name}=app:env:key.`,
      );
    }
    uses.push({ text: value, where: where(name) });
  }
  return uses;
}

/**
 * Replace every reference value of `env` in place (after {@link resolveReferences}).
 *
 * @throws SeeqretError `E_BAD_VALUE` when a value holds a NUL character.
 */
export function substituteReferences(env: Record<string, string | undefined>, values: ReadonlyMap<string, string>): string[] {
  const replaced: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const resolved = values.get(value);
    if (resolved === undefined) continue;
    if (resolved.includes('\0')) throw new SeeqretError('E_BAD_VALUE', `${name} contains a NUL character, which an environment variable cannot hold`, 'Store it base64-encoded.');
    env[name] = resolved;
    replaced.push(name);
  }
  return replaced;
}
