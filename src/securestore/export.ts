/**
 * The `securestore export` use case: seeqret secrets into a SecureStore vault file, new or
 * existing. Everything is checked (the selection, the names, the key of an existing file) before
 * the file's lock is taken; under the lock the file is re-read (or created), changed and written
 * atomically, and a new vault's key file and `.gitignore` rule are undone if writing it fails.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import type { Filter } from '../filter/index.js';
import { withFileLock } from '../util/lock.js';
import { type SecretRecord, type Vault, secretLabel } from '../vault/vault.js';
import { type NewSource, type SsAccess, checkedSource, newVaultSource, shownName } from './access.js';
import type { SsNames } from './import.js';
import { isMissingOrEmpty } from './keyfile.js';
import { type KeySource, SecretsManager } from './manager.js';
import { saveWithKeys, writeNewKey } from './undo.js';

/** What to export. */
export interface SsExportRequest {
  /** The secrets: every one any filter matches (at least one filter). */
  readonly filters: readonly Filter[];
  /** `key` (default): the name is the key; `full`: the name is `app:env:key`. */
  readonly names?: SsNames | undefined;
  /** Add a `.gitignore` rule for a new key file (default true). */
  readonly vcs?: boolean | undefined;
}

/** What {@link exportToSecureStore} did. */
export interface SsExportResult {
  readonly store: string;
  /** The file did not exist (or was empty) and was created. */
  readonly created: boolean;
  readonly added: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly names: SsNames;
  /** Messages about the files written (key files, ignore rules). */
  readonly notes: readonly string[];
}

/** Refuse an export without filters (`E_USAGE`); callers may check this before opening the vault. */
export function requireFilters(filters: readonly Filter[]): void {
  if (filters.length === 0) throw new SeeqretError('E_USAGE', 'export needs at least one -f FILTER (exporting nothing is never what you want)', "Name the secrets, e.g. -f 'myapp:prod:' (or -f '::' for all).");
}

/** The selection by SecureStore name (two secrets under one name are refused). */
function selection(v: Vault, r: SsExportRequest, mode: SsNames): Map<string, SecretRecord> {
  requireFilters(r.filters);
  const records = v.find(r.filters);
  if (records.length === 0) throw new SeeqretError('E_NOT_FOUND', `the filters match no secret: ${r.filters.map((f) => f.text).join(', ')}`, 'Run `seeqret list` to see what exists.');
  const named = new Map<string, SecretRecord>();
  for (const rec of records) {
    const name = mode === 'full' ? secretLabel(rec) : rec.key;
    const other = named.get(name);
    if (other) {
      throw new SeeqretError('E_AMBIGUOUS', `${secretLabel(other)} and ${secretLabel(rec)} would both be named ${shownName(name)}`, 'Narrow the filters to one app and env, or pass --names full (names app:env:key).');
    }
    named.set(name, rec);
  }
  return named;
}

/** Write the secrets `r` selects into the vault file of `a` (created when missing), and audit the export. */
export async function exportToSecureStore(a: SsAccess, v: Vault, r: SsExportRequest): Promise<SsExportResult> {
  const { store } = a;
  const mode = r.names ?? 'key';
  const vcs = r.vcs !== false;
  const named = selection(v, r, mode);
  let source: KeySource;
  let fresh: NewSource | null = null;
  if (!isMissingOrEmpty(store)) source = await checkedSource(a);
  else {
    fresh = await newVaultSource(a);
    source = fresh.source;
  }
  // Under the file's lock: re-read (or create), apply, write — concurrent writers lose nothing.
  const result = withFileLock(
    store,
    () => {
      const exists = !isMissingOrEmpty(store);
      const sman = exists ? SecretsManager.fromFile(store, source) : SecretsManager.create(source, { path: store });
      let added = 0;
      let updated = 0;
      let unchanged = 0;
      for (const [name, rec] of named) {
        const value = Buffer.from(v.reveal(rec), 'utf8');
        const old = sman.getBytes(name);
        try {
          if (old !== null && old.equals(value)) unchanged += 1; // keep the entry as it is: no diff in git
          else {
            sman.set(name, value);
            if (old === null) added += 1;
            else updated += 1;
          }
        } finally {
          value.fill(0);
          old?.fill(0);
        }
      }
      let notes: readonly string[] = [];
      if (exists) sman.save();
      else {
        notes = saveWithKeys(sman, (undo) => {
          if (fresh) writeNewKey(sman, fresh, vcs, undo);
        });
      }
      return { exists, added, updated, unchanged, notes };
    },
    { what: store, timeoutMs: a.lockTimeoutMs },
  );
  v.audit([{ action: 'export', target: store, detail: { format: 'securestore-v3', names: mode, created: !result.exists, secrets: [...named.values()].map(secretLabel) } }]);
  return {
    store,
    created: !result.exists,
    added: result.added,
    updated: result.updated,
    unchanged: result.unchanged,
    names: mode,
    notes: [...(fresh?.notes ?? []), ...result.notes],
  };
}
