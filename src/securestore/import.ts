/**
 * The `securestore import` use case: a SecureStore vault's secrets into the seeqret vault, in two
 * steps — {@link planSsImport} opens the file, maps every name to `app:env:key` and checks them
 * all, writing nothing; {@link applySsImport} writes the values and one audit entry in ONE
 * transaction (all or nothing). Warnings come back as data.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { decodeUtf8 } from '../util/read-capped.js';
import { printable } from '../util/text.js';
import { nameProblem } from '../vault/names.js';
import type { ImportSummary, Vault } from '../vault/vault.js';
import { type SsAccess, listedBytes, openStore, shownName } from './access.js';

/** How SecureStore names become seeqret names: `key` (each name a key of one app and env) or `full` (each name `app:env:key`). */
export type SsNames = 'key' | 'full';

/** What {@link planSsImport} is asked. */
export interface SsImportRequest {
  /** Default `key`. */
  readonly names?: SsNames | undefined;
  /** With `key`: the application (default `*`). */
  readonly app?: string | undefined;
  /** With `key`: the environment (default `*`). */
  readonly env?: string | undefined;
  /** With `key`: replace `:` in names by this text. */
  readonly colon?: string | undefined;
}

/** One secret to import (the value is decrypted: keep the plan short-lived). */
export interface SsImportEntry {
  readonly app: string;
  readonly env: string;
  readonly key: string;
  readonly value: string;
}

/** What {@link planSsImport} found. */
export interface SsImportPlan {
  readonly store: string;
  readonly names: SsNames;
  readonly entries: readonly SsImportEntry[];
  /** Things the person should know before trusting the values. */
  readonly warnings: readonly string[];
}

/** Open the vault file of `a` and map and check every name, writing nothing. */
export async function planSsImport(a: SsAccess, r: SsImportRequest = {}): Promise<SsImportPlan> {
  const { store } = a;
  const mode = r.names ?? 'key';
  const app = r.app ?? '*';
  const env = r.env ?? '*';
  const colon = r.colon;
  if (mode === 'full' && (app !== '*' || env !== '*' || colon !== undefined)) {
    throw new SeeqretError('E_USAGE', '--names full takes app and env from each name; --app, --env and --colon apply to --names key', 'Drop them, or use --names key.');
  }
  if (colon !== undefined && (colon.length === 0 || nameProblem('key', `a${colon}b`) !== null)) {
    throw new SeeqretError('E_USAGE', `--colon '${printable(colon)}' is not allowed in a key name`, "Use characters such as '.', '_', '-' or '/'.");
  }
  const sman = await openStore(a);
  // Honest about the format: each entry's HMAC covers its IV and ciphertext, not its name.
  const warnings = [`SecureStore does not bind a value to its name: whoever could write ${store} could have swapped values between names undetected; check the imported values`];
  const entries: SsImportEntry[] = [];
  const origin = new Map<string, string>();
  for (const name of sman.keys()) {
    let target: { app: string; env: string; key: string };
    if (mode === 'full') {
      const parts = name.split(':');
      const [pApp, pEnv, pKey] = parts;
      if (parts.length !== 3 || pApp === undefined || pEnv === undefined || pKey === undefined) {
        throw new SeeqretError('E_INVALID_NAME', `secret ${shownName(name)} in ${store} is not app:env:key`, 'Import with --names key (and --colon C), or rename it.');
      }
      target = { app: pApp, env: pEnv, key: pKey };
    } else {
      target = { app, env, key: colon !== undefined ? name.split(':').join(colon) : name };
    }
    for (const kind of ['app', 'env', 'key'] as const) {
      const problem = nameProblem(kind, target[kind]);
      if (problem) {
        throw new SeeqretError(
          'E_INVALID_NAME',
          `secret ${shownName(name)} in ${store} cannot be a seeqret name: ${problem}`,
          mode === 'key' && name.includes(':') ? "Pass --colon C to replace ':' (e.g. --colon .), or --names full for app:env:key names." : 'Rename it in the SecureStore vault first.',
        );
      }
    }
    const label = `${target.app}:${target.env}:${target.key}`;
    const before = origin.get(label);
    if (before !== undefined) {
      throw new SeeqretError('E_AMBIGUOUS', `secrets ${shownName(before)} and ${shownName(name)} in ${store} both become ${printable(label)}`, 'Rename one of them, or choose another --colon.');
    }
    origin.set(label, name);
    const b = listedBytes(sman, name);
    let value: string;
    try {
      value = decodeUtf8(b, `secret ${shownName(name)}`);
    } finally {
      b.fill(0);
    }
    entries.push({ ...target, value });
  }
  return { store, names: mode, entries, warnings };
}

/** How {@link applySsImport} decides. */
export interface SsImportOptions {
  /** Replace existing values that differ (the old ones go to history); else they are skipped. */
  readonly update?: boolean | undefined;
  /** Work out the outcomes, write nothing. */
  readonly dryRun?: boolean | undefined;
}

/** Write the plan's values and the audit entry in one transaction (new names start pending, received from `ss import`). */
export function applySsImport(v: Vault, plan: SsImportPlan, o: SsImportOptions = {}): ImportSummary {
  const dryRun = o.dryRun === true;
  return v.atomically(() => {
    const s = v.setMany(plan.entries, { update: o.update === true, dryRun, received: 'ss import' });
    if (!dryRun) {
      v.audit([{ action: 'import', target: plan.store, detail: { from: 'securestore-v3', names: plan.names, added: s.added, updated: s.updated, skipped: s.skipped, unchanged: s.unchanged } }]);
    }
    return s;
  });
}
