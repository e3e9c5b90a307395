/**
 * A vault for the web UI's browser tests and screenshots: alice's vault with `n` secrets over three
 * apps and three environments, three people (bob, whose own vault is real, carol and the server
 * `ci-runner`) who were sent some of them, some values changed since (outdated holders), a removed
 * person (dave: exposed values), and a bundle from bob waiting in the inbox.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseFilter } from '../src/filter/index.js';
import { prepareExport } from '../src/sharing/export.js';
import { randomBytes } from 'node:crypto';
import { Vault } from '../src/vault/vault.js';
import { newVault } from './helpers.js';

/** The vault folders made. */
export interface UiFixture {
  /** alice's vault (the one the UI serves). */
  readonly dir: string;
  /** bob's vault. */
  readonly bobDir: string;
}

/** Make the fixture with `n` secrets. */
export function uiFixture(n = 300): UiFixture {
  const dir = newVault();
  const bobDir = newVault({ user: 'bob' });
  const alice = Vault.open({ dir });
  const bob = Vault.open({ dir: bobDir });
  try {
    alice.addUser({ username: 'bob', email: 'bob@example.com', publicKey: bob.publicKey });
    alice.verifyUser('bob');
    bob.addUser({ username: 'alice', email: 'alice@example.com', publicKey: alice.publicKey });
    bob.verifyUser('alice');
    alice.addUser({ username: 'carol', email: 'carol@example.com', name: 'Carol <script>alert(1)</script>', publicKey: randomBytes(32) });
    alice.addUser({ username: 'ci-runner', publicKey: randomBytes(32) });
    alice.verifyUser('ci-runner');
    alice.addUser({ username: 'dave', publicKey: randomBytes(32) });
    const apps = ['web', 'api', 'worker'];
    const envs = ['dev', 'staging', 'prod'];
    alice.atomically(() => {
      for (let i = 0; i < n; i++) {
        const app = apps[i % 3] ?? 'web';
        const env = envs[Math.floor(i / 3) % 3] ?? 'dev';
        const key = `KEY_${String(Math.floor(i / 9)).padStart(3, '0')}`;
        // Most keys equal across environments, every fifth one differs, some missing in prod.
        if (env === 'prod' && i % 27 === 26) continue;
        alice.set({ app, env, key, value: i % 5 === 0 ? `value-${app}-${env}-${String(i)}` : `shared-${app}-${key}` });
      }
    });
    const all = alice.all();
    const pick = (f: (s: { app: string; env: string }) => boolean) => all.filter(f);
    alice.recordExport('b-bob', alice.user('bob'), pick((s) => s.app === 'web'), 'bundle');
    alice.recordExport('b-carol', alice.user('carol'), pick((s) => s.app === 'api' && s.env !== 'prod'), 'bundle');
    alice.recordExport('b-ci', alice.user('ci-runner'), pick((s) => s.env === 'prod'), 'bundle');
    alice.recordExport('b-dave', alice.user('dave'), pick((s) => s.app === 'worker' && s.env === 'dev').slice(0, 12), 'bundle');
    alice.removeUser('dave');
    // Changed since they were sent: bob and ci-runner hold outdated versions of these.
    alice.updateValues(pick((s) => s.app === 'web' && s.env === 'prod').slice(0, 5), 'rotated-value');
    bob.set({ app: 'shared', env: 'dev', key: 'FROM_BOB', value: 'hello from bob' });
    bob.set({ app: 'shared', env: 'dev', key: 'SECOND', value: 'two' });
    const plan = prepareExport(bob, { to: ['alice'], filters: [parseFilter('shared::')], destination: 'files' });
    const inbox = path.join(dir, 'inbox');
    fs.mkdirSync(inbox, { mode: 0o700, recursive: true });
    fs.writeFileSync(path.join(inbox, 'from-bob.bundle'), plan.items[0]?.text ?? '', { mode: 0o600 });
  } finally {
    alice.close();
    bob.close();
  }
  return { dir, bobDir };
}
