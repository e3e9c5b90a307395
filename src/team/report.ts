/**
 * The reports of the team file the CLI renders: what `team info` finds (format, custodians,
 * domains, signature, this vault's verdict), and the values of `team decrypt` as the text of a
 * format. No output of their own: the lines for people go through {@link Notes}.
 *
 * @module
 */
import { fingerprint } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { pythonJsonDumps } from '../formats/python-json.js';
import type { Notes } from '../notes.js';
import { codePointCompare } from '../util/compare.js';
import { shellQuote } from '../util/shlex.js';
import type { Extension } from './format.js';
import type { KdfCost } from '../crypto/team.js';
import { type TeamSession, openTeam } from './session.js';
import { describeVerdict } from './signing.js';
import { keyringFingerprint } from './state.js';
import { signerFingerprint } from './trust.js';

/** A custodian as `team info` reports it. */
export interface CustodianReport {
  readonly name: string;
  readonly type: string;
  readonly cost: KdfCost | null;
  readonly pwdkmVersion: number | null;
  readonly owns: readonly string[];
  readonly fingerprint: string;
}

/** What `team info` reports (its JSON, key for key). */
export interface TeamInfoReport {
  readonly file: string;
  readonly extensions: readonly Extension[];
  readonly pprotectReadable: boolean;
  readonly custodians: readonly CustodianReport[];
  readonly domains: ReadonlyArray<{ readonly name: string; readonly secrets: number; readonly owners: readonly string[]; readonly fingerprint: string }>;
  readonly signature: { readonly state: string; readonly by?: string; readonly key?: string; readonly fingerprint?: string; readonly version?: number | null; readonly team?: string | null };
  readonly keysFingerprint: string;
  readonly vault: { readonly dir: string; readonly verdict: string };
}

/** A domain key's fingerprint (every listed domain has one). */
const domainFingerprint = (key: Buffer | undefined): string => (key ? fingerprint(key) : '');

/**
 * Look at the team file (without trusting it: `openTeam(s, 'look')`) and report what it holds;
 * the same facts go to `notes.info` as lines for people.
 */
export function teamInfo(s: TeamSession, notes: Notes): TeamInfoReport {
  const c = openTeam(s, 'look');
  const tf = c.tf;
  const ext = tf.extensions();
  const st = tf.signatureStatus();
  const report: TeamInfoReport = {
    file: tf.path,
    extensions: ext,
    pprotectReadable: ext.length === 0,
    custodians: tf.custodianNames().map((n) => {
      const cu = tf.custodian(n);
      return { name: n, type: cu.type, cost: cu.cost ?? null, pwdkmVersion: cu.pwdkmVersion, owns: cu.owns, fingerprint: fingerprint(cu.publicKey) };
    }),
    domains: tf.domainNames().map((d) => ({ name: d, secrets: tf.secretNames(d).length, owners: tf.owners(d), fingerprint: domainFingerprint(tf.data.domains.get(d)?.publicKey) })),
    signature: {
      state: st.state,
      ...('by' in st ? { by: st.by, key: st.key.toString('base64'), fingerprint: signerFingerprint(st.key) } : {}),
      ...('chain' in st ? { version: st.chain ? st.chain.seq : null, team: st.chain ? st.chain.team.toString('base64') : null } : {}),
    },
    keysFingerprint: keyringFingerprint(c.obs.keys),
    vault: { dir: s.vaultDir, verdict: describeVerdict(c) },
  };
  notes.info(`file: ${tf.path}`);
  notes.info(ext.length ? `format: seeqret extensions (${ext.join(', ')}); pocket_protector (pprotect) cannot read this file` : 'format: pocket_protector (readable by pprotect)');
  for (const cu of report.custodians) {
    const cost = cu.cost ? ` (Argon2id ${cu.cost.opslimit} × ${cu.cost.memlimit / 2 ** 20} MiB)` : '';
    notes.info(`custodian ${cu.name}: ${cu.type}${cost}${cu.pwdkmVersion !== null ? `, pwdkm v${cu.pwdkmVersion}` : ''}; owns ${cu.owns.join(', ') || 'nothing'}; key fingerprint ${cu.fingerprint}`);
  }
  for (const d of report.domains) notes.info(`domain ${d.name}: ${d.secrets} secrets; owners ${d.owners.join(', ')}; key fingerprint ${d.fingerprint}`);
  const chain = 'chain' in st && st.chain ? `, version ${st.chain.seq}, team ${st.chain.team.toString('base64')}` : 'chain' in st ? ', legacy signature without a version number' : '';
  notes.info(`signature: ${st.state}${'by' in st ? ` (by ${st.by}, key ${st.key.toString('base64')}, key fingerprint ${signerFingerprint(st.key)}${chain})` : ''}`);
  notes.info(`keys fingerprint: ${report.keysFingerprint}`);
  notes.info(`this vault (${s.vaultDir}): ${report.vault.verdict}`);
  return report;
}

/** The formats of `team decrypt`. */
export type DecryptFormat = 'json' | 'env' | 'shell';

/**
 * A domain's decrypted values (or the one named `secret`) as the text `team decrypt` writes: the
 * bare value for one secret without a format, else JSON (sorted keys) or `NAME=value` lines
 * (`export NAME=value` for shell). Empty when there is nothing to write.
 */
export function decryptedText(domain: string, values: ReadonlyMap<string, string>, secret?: string, format?: DecryptFormat): string {
  if (secret !== undefined && !values.has(secret)) throw new SeeqretError('E_NOT_FOUND', `no secret named ${secret} in ${domain}`, `Known: ${[...values.keys()].join(', ') || '(none)'}.`);
  const one = secret === undefined ? undefined : values.get(secret);
  const items: Array<[string, string]> = secret !== undefined && one !== undefined ? [[secret, one]] : [...values];
  if (format === undefined && one !== undefined) return `${one}\n`;
  if (format === undefined || format === 'json') return `${pythonJsonDumps(new Map(items), { indent: 2, sortKeys: true })}\n`;
  const prefix = format === 'shell' ? 'export ' : '';
  const lines: string[] = [];
  for (const [name, value] of [...items].sort((x, y) => codePointCompare(x[0], y[0]))) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SeeqretError('E_INVALID_NAME', `${name} is not a valid shell variable name; it cannot be written in ${format} format`, 'Use --format json, or rename the secret.');
    lines.push(`${prefix}${name}=${shellQuote(value, { pythonEscape: true })}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
