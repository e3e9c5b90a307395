/**
 * The seeqret library.
 *
 * ```ts
 * import { get, openVault } from 'seeqret';
 * const dbPassword = get('DB_PASSWORD', { app: 'myapp', env: 'prod' });
 * const vault = openVault();          // unlock once…
 * vault.get('API_KEY', { env: 'dev' }); // …then each get costs about a microsecond
 * vault.close();
 * ```
 *
 * @module
 */
import { hostEnvironment } from './host.js';
import { type PassphraseSource, environmentPassphrases, requirePassphrase } from './passphrase.js';
import { resolveVaultDir } from './vault/paths.js';
import { type OpenVaultOptions, Vault } from './vault/vault.js';

export { ERROR_CODES, ExitCode, SeeqretError, isSeeqretError, type ErrorCode, type ExitCodeValue } from './errors.js';
export { parseFilter, matchesFilter, matchesAny, type Filter, type FieldPattern } from './filter/index.js';
export { parseDotenv, formatDotenv, quoteDotenvValue, type DotenvEntry } from './formats/dotenv.js';
export { DIALECTS, DEFAULT_DIALECT, formatDotenvDialect, quoteForDialect, type Dialect } from './formats/dialects.js';
export { parseEnvTemplate, type EnvTemplate, type TemplateLine } from './formats/template.js';
export { resolveTemplate, resolveFilters, type EnvEntry, type Resolved } from './inject/resolve.js';
export { GLOBAL, checkName } from './vault/names.js';
export { resolveVaultDir } from './vault/paths.js';
export {
  PASSPHRASE_VARIABLES,
  environmentPassphrases,
  filePassphrase,
  fixedPassphrase,
  passphraseChain,
  readPassphraseFile,
  requirePassphrase,
  type PassphraseKind,
  type PassphraseRequest,
  type PassphraseSource,
} from './passphrase.js';
export { SCHEMA_VERSION } from './vault/schema.js';
export { VERSION } from './version.js';
export {
  Vault,
  type CreateVaultOptions,
  type HistoryEntry,
  type ImportSummary,
  type OpenVaultOptions,
  type SecretInput,
  type SecretRecord,
  type UserRecord,
  type WriteOutcome,
} from './vault/vault.js';

/**
 * Open and unlock a vault (default: `$SEEQRET`, else `~/.seeqret`). A passphrase-protected vault
 * takes `passphrase`, `passphraseFile` or `SEEQRET_PASSPHRASE`. Close it when done.
 */
export function openVault(options: OpenVaultOptions = {}): Vault {
  return Vault.open({ readonly: true, ...options });
}

/** Options of {@link unlockVault}: those of {@link openVault}, with a passphrase source instead of a passphrase. */
export interface UnlockVaultOptions extends Omit<OpenVaultOptions, 'passphrase' | 'passphraseFile'> {
  /**
   * Where the passphrase of a protected vault comes from; asked once, with `kind: 'vault'` and
   * the vault folder as `target`. Default: `SEEQRET_PASSPHRASE` of `env` (the process's).
   */
  readonly passphrases?: PassphraseSource;
}

/**
 * Open and unlock a vault (read-only unless `readonly: false`), asking `passphrases` for the
 * passphrase when the vault is protected — the way the CLI asks its chain of `--passphrase-file`,
 * `SEEQRET_PASSPHRASE` and the terminal. An unprotected vault never asks.
 *
 * @throws SeeqretError `E_PASSPHRASE_REQUIRED` when no source gives one; what {@link openVault} throws.
 */
export async function unlockVault(options: UnlockVaultOptions = {}): Promise<Vault> {
  const { passphrases, ...rest } = options;
  const env = options.env ?? hostEnvironment();
  const probe = Vault.probe(options.dir, env);
  if (!probe.exists || !probe.passphraseProtected) return Vault.open({ readonly: true, ...rest, env });
  const passphrase = await requirePassphrase(passphrases ?? environmentPassphrases(env), { kind: 'vault', label: 'Vault passphrase', target: probe.dir }, {
    message: `the vault ${probe.dir} is passphrase-protected and no passphrase source gave its passphrase`,
    fix: 'Pass a PassphraseSource that has it (fixedPassphrase, environmentPassphrases or your own), or set SEEQRET_PASSPHRASE.',
  });
  try {
    return Vault.open({ readonly: true, ...rest, env, dir: probe.dir, passphrase });
  } finally {
    passphrase.fill(0);
  }
}

const cache = new Map<string, Vault>();

/** Options of {@link get}. */
export interface GetOptions {
  /** Application; omitted = any app (ambiguity is an error). Global `*` values are the fallback. */
  readonly app?: string;
  /** Environment; omitted = any env (ambiguity is an error). Global `*` values are the fallback. */
  readonly env?: string;
  /** Vault folder (default `$SEEQRET`, else `~/.seeqret`). */
  readonly vault?: string;
}

/**
 * The value of secret `key`. The vault is opened on the first call and kept open for the life
 * of the process; see {@link Vault.get} for how app/env choose among values.
 *
 * @throws SeeqretError `E_NOT_FOUND`, `E_AMBIGUOUS`, `E_VAULT_NOT_FOUND`, `E_PASSPHRASE_REQUIRED`, …
 */
export function get(key: string, options: GetOptions = {}): string {
  const dir = resolveVaultDir(options.vault, hostEnvironment());
  let vault = cache.get(dir);
  if (!vault) {
    vault = openVault({ dir });
    cache.set(dir, vault);
  }
  return vault.get(key, { ...(options.app === undefined ? {} : { app: options.app }), ...(options.env === undefined ? {} : { env: options.env }) });
}

/** Close the vaults opened by {@link get} (they are otherwise closed when the process exits). */
export function closeAll(): void {
  for (const v of cache.values()) v.close();
  cache.clear();
}
