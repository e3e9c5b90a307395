/**
 * `seeqret add key|text`: store a secret.
 *
 * @module
 */
import { secretLabel } from '../../../vault/vault.js';
import { type GlobalOptions, info, readValue, withVault } from '../../context.js';

/** Options of `add key` and `add text`. */
export interface AddOptions {
  app: string;
  env: string;
  type?: string;
  overwrite?: boolean;
  allowEmpty?: boolean;
}

async function store(g: GlobalOptions, name: string, value: string, o: AddOptions, type: string): Promise<number> {
  return withVault(g, (v) => {
    const outcome = v.set({ app: o.app, env: o.env, key: name, value, type }, { replace: o.overwrite ?? false });
    const label = secretLabel({ app: o.app, env: o.env, key: name });
    if (outcome === 'added') info(`Added ${label}`);
    else if (outcome === 'updated') info(`Updated ${label} (the previous value is kept in history)`);
    else info(`Unchanged ${label} (same value)`);
    return 0;
  });
}

/** `add key NAME [VALUE]`. */
export async function addKey(g: GlobalOptions, name: string, arg: string | undefined, o: AddOptions): Promise<number> {
  const value = await readValue(arg, { label: name, allowEmpty: o.allowEmpty === true });
  return store(g, name, value, o, o.type ?? 'str');
}

/** `add text NAME` (multi-line value from stdin, kept byte for byte). */
export async function addText(g: GlobalOptions, name: string, o: AddOptions): Promise<number> {
  const value = await readValue(undefined, { label: name, multiline: true, allowEmpty: o.allowEmpty === true });
  return store(g, name, value, o, 'text');
}
