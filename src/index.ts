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
