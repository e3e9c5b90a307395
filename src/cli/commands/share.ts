/**
 * Sharing: `export`, `load`, `serializers`.
 *
 * @module
 */
import path from 'node:path';
import { keyFromBase64 } from '../../crypto/index.js';
import { SeeqretError } from '../../errors.js';
import { parseFilter } from '../../filter/index.js';
import { createBundle, looksLikeBundle, openBundle, readBundleHeader, type BundleSecret } from '../../sharing/bundle.js';
import { commandSenders, detectV1Format, parseCommandText, parseJsonCrypt, serializeCommand, serializeJsonCrypt, type V1Secret } from '../../sharing/v1.js';
import { atomicWriteFile, decodeUtf8, readTextFileCapped } from '../../util/fs.js';
import { type SecretRecord, type UserRecord, type Vault, secretLabel } from '../../vault/vault.js';
import { isDangerousVariable } from '../../vault/resolve.js';
import { type GlobalOptions, confirm, info, readStdin, stdinIsTTY, warn, withVault } from '../context.js';
import { commandLine } from '../hints.js';

/** The formats `export -s` writes and `load` reads. */
export const SERIALIZERS = {
  bundle: 'seeqret bundle (default): sender-authenticated, all metadata authenticated, bound to the recipient, replay-checked',
  'json-crypt': "the old seeqret tool's JSON format (values in NaCl boxes; names and types NOT authenticated)",
  command: "the old seeqret tool's `seeqret load ...` command lines, one per secret, for pasting into a terminal",
} as const;
export type Serializer = keyof typeof SERIALIZERS;

function serializerOf(v: unknown): Serializer {
  const s = (v as string | undefined) ?? 'bundle';
  if (!(s in SERIALIZERS)) throw new SeeqretError('E_USAGE', `unknown serializer '${s}'`, `Use one of: ${Object.keys(SERIALIZERS).join(', ')} (seeqret serializers).`);
  return s as Serializer;
}

/** `serializers`. */
export async function serializers(): Promise<number> {
  for (const [name, what] of Object.entries(SERIALIZERS)) process.stdout.write(`${name.padEnd(12)} ${what}\n`);
  return 0;
}

function recipientsOf(v: Vault, to: string[]): UserRecord[] {
  const all = v.users();
  const out = new Map<string, UserRecord>();
  for (const name of to.flatMap((t) => t.split(',')).filter(Boolean)) {
    if (name === 'all') for (const u of all) if (!u.isOwner) out.set(u.username, u);
    if (name === 'self') out.set(v.owner().username, v.owner());
    if (name !== 'all' && name !== 'self') out.set(name, v.user(name));
  }
  if (out.size === 0) throw new SeeqretError('E_USAGE', '--to named nobody (the vault has no other users)', 'Add the person first: seeqret add user --username NAME --pubkey KEY.');
  return [...out.values()];
}

/** The file for one recipient: FILE itself for a single recipient, else FILE with `.NAME` before the extension. */
export function outputFileFor(file: string, recipient: string, several: boolean): string {
  if (!several) return file;
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}.${recipient}${ext}`;
}

/** `export --to USER... -f FILTER... [-s SERIALIZER] [-o FILE]`. */
export async function exportCmd(g: GlobalOptions, _a: unknown[], o: Record<string, unknown>): Promise<number> {
  const filters = ((o['filter'] as string[] | undefined) ?? []).map((f) => parseFilter(f));
  if (filters.length === 0) throw new SeeqretError('E_USAGE', 'export needs at least one -f FILTER (exporting nothing is never what you want)', "Name the secrets, e.g. -f 'myapp:dev:' (or -f '::' for all).");
  const to = (o['to'] as string[] | undefined) ?? [];
  if (to.length === 0) throw new SeeqretError('E_USAGE', 'export needs --to USER (a name, self or all)', 'Run `seeqret users` to see who is known.');
  const serializer = serializerOf(o['serializer']);
  const outFile = o['out'] as string | undefined;
  return withVault(g, (v) => {
    // Recipients' keys, the values sent and the share records must be the ones seeqret wrote.
    v.checkIntegrity(['users', 'secrets', 'shares']);
    const recipients = recipientsOf(v, to);
    const several = recipients.length > 1;
    if (several && !outFile && serializer !== 'command') {
      throw new SeeqretError('E_USAGE', `${recipients.length} recipients need -o FILE (one file is written per recipient)`, 'Add -o secrets.json; files become secrets.NAME.json.');
    }
    const records = v.find(filters);
    if (records.length === 0) throw new SeeqretError('E_NOT_FOUND', `the filters match no secret: ${filters.map((f) => f.text).join(', ')}`, 'Run `seeqret list` to see what exists.');
    const owner = v.owner();
    const values = new Map<number, string>(records.map((r) => [r.id, v.reveal(r)]));
    for (const u of recipients) {
      if (!u.isOwner && u.verifiedAt === null) warn(`${u.username}'s key fingerprint was never verified; compare it on a call and run \`seeqret users verify ${u.username}\``);
      const { text, bundleId } = serialize(serializer, v, owner, u, records, values);
      if (outFile) {
        const file = outputFileFor(outFile, u.username, several);
        atomicWriteFile(file, text);
        info(`Wrote ${records.length} secret${records.length === 1 ? '' : 's'} for ${u.username} to ${file} (${serializer})`);
      } else {
        process.stdout.write(text);
      }
      v.recordExport(bundleId, u, records, serializer);
    }
    return 0;
  });
}

function serialize(
  serializer: Serializer,
  v: Vault,
  owner: UserRecord,
  to: UserRecord,
  records: readonly SecretRecord[],
  values: Map<number, string>,
): { text: string; bundleId: string } {
  const toKey = keyFromBase64(to.pubkey)!;
  if (serializer === 'bundle') {
    const secrets: BundleSecret[] = records.map((r) => ({ app: r.app, env: r.env, key: r.key, type: r.type, value: values.get(r.id)!, updated: r.updatedAt }));
    const { text, header } = createBundle({ username: owner.username, email: owner.email, pubkey: v.publicKey }, v.identitySecretKey, { username: to.username, pubkey: toKey }, secrets);
    return { text, bundleId: header.id };
  }
  const v1: V1Secret[] = records.map((r) => ({ app: r.app, env: r.env, key: r.key, type: r.type, value: values.get(r.id)!, updatedAt: Math.floor(r.updatedAt / 1000) }));
  const bundleId = `${serializer}-${Date.now().toString(36)}`;
  if (serializer === 'json-crypt') {
    const text = serializeJsonCrypt({
      from: { username: owner.username, email: owner.email, pubkey: owner.pubkey, name: owner.name },
      to: { username: to.username, email: to.email, pubkey: to.pubkey, name: to.name },
      secrets: v1,
      senderSecretKey: v.identitySecretKey,
      recipientPublicKey: toKey,
    });
    return { text: text.endsWith('\n') ? text : text + '\n', bundleId };
  }
  const text = serializeCommand({ senderUsername: owner.username, recipientUsername: to.username, secrets: v1, senderSecretKey: v.identitySecretKey, recipientPublicKey: toKey });
  return { text: text.endsWith('\n') ? text : text + '\n', bundleId };
}

/** `load [-u SENDER] (-f FILE | -v VALUE | stdin) [-s SERIALIZER] [--overwrite] [--force]`. */
export async function load(g: GlobalOptions, _a: unknown[], o: Record<string, unknown>): Promise<number> {
  const file = o['file'] as string | undefined;
  const value = o['value'] as string | undefined;
  if (file && value !== undefined) throw new SeeqretError('E_USAGE', 'give either -f FILE or -v VALUE, not both', 'Use one source.');
  let text: string;
  if (value !== undefined) text = value;
  else if (file && file !== '-') text = readTextFileCapped(file, 'bundle');
  else text = decodeUtf8(await readStdin('bundle'), 'stdin');
  const sender = o['user'] as string | undefined;
  const serializer = o['serializer'] as string | undefined;
  // The same load again with more options, for the hints of the summary.
  const again = (extra: string[]): string => {
    const words = ['load', ...(sender ? ['-u', sender] : []), ...(serializer ? ['-s', serializer] : [])];
    if (value !== undefined) return `the same \`seeqret load … -v …\` command with ${extra.join(' ')}`;
    if (file && file !== '-') return `\`${commandLine(g, ...words, '-f', file, ...extra)}\``;
    return `the same input piped into \`${commandLine(g, ...words, ...extra)}\``;
  };
  const fromStdin = value === undefined && (!file || file === '-');
  return withVault(g, async (v) => {
    const r = loadText(v, text, { sender, serializer, overwrite: o['overwrite'] === true, force: o['force'] === true, isCommandValue: value !== undefined });
    reportLoad(r, { again });
    await settleNewNames(g, v, r, { accept: o['accept'] === true, ask: !fromStdin && stdinIsTTY() });
    return 0;
  });
}

/**
 * The names a load added are someone else's choice: list them and, on a terminal, ask whether to
 * accept them; `--accept` accepts them without asking; otherwise they stay pending (exported only
 * by a filter that names them exactly) and the command says how to accept them.
 */
export async function settleNewNames(g: GlobalOptions, v: Vault, r: LoadResult, o: { accept: boolean; ask: boolean }, prefix = ''): Promise<void> {
  if (r.pending.length === 0) return;
  const names = r.pending.map(secretLabel);
  const loaders = r.pending.filter((p) => isDangerousVariable(p.key)).map(secretLabel);
  if (loaders.length) warn(`${prefix}${loaders.join(', ')} ${loaders.length === 1 ? 'is a variable' : 'are variables'} that make programs load or run code: never exported through a filter, even once accepted`);
  let accept = o.accept;
  if (!accept && o.ask) accept = await confirm(`${prefix}Accept ${names.length === 1 ? 'this name' : `these ${names.length} names`} from ${r.sender} (filters such as -f app:env: will export ${names.length === 1 ? 'it' : 'them'})?`);
  if (accept) {
    const done = v.accept(r.pending);
    info(`${prefix}Accepted ${done.length} name${done.length === 1 ? '' : 's'} from ${r.sender}.`);
  } else {
    // The exact names (a few), or one filter per app:env they are in: a command that works as printed.
    const places = [...new Set(r.pending.map((p) => `${p.app}:${p.env}:`))];
    const what = names.length <= 3 ? names : places.flatMap((p) => ['-f', p]);
    info(
      `${prefix}${names.length} new name${names.length === 1 ? ' is' : 's are'} pending: not exported by a filter that does not name ${names.length === 1 ? 'it' : 'them'} exactly until you run \`${commandLine(g, 'accept', ...what)}\` (see \`${commandLine(g, 'list', '--pending')}\`).`,
    );
  }
}

/**
 * Print what a load did: counts, every name that changed or was kept out (never values), and —
 * when values were skipped or kept — the command that takes them: `again(options)` describes
 * the same load with those options, `null` when the input cannot be loaded again (`inbox`
 * removed the file).
 */
export function reportLoad(r: LoadResult, opts: { prefix?: string; again: ((extra: string[]) => string) | null }): void {
  const prefix = opts.prefix ?? '';
  const pending = new Set(r.pending.map(secretLabel));
  const s = r.summary;
  info(`${prefix}Loaded from ${r.sender} (${r.format}${r.bundleId ? `, bundle ${r.bundleId}` : ''}): ${s.added} added, ${s.updated} updated, ${s.skipped} skipped, ${s.unchanged} unchanged${s.older ? `, ${s.older} older than here` : ''}`);
  const label: Record<string, string> = {
    added: 'added',
    updated: 'updated',
    skipped: 'skipped: another value is here',
    older: 'kept ours: the sent value is older than the one here',
  };
  for (const x of s.outcomes) if (x.outcome !== 'unchanged') info(`${prefix}  ${secretLabel(x)}  ${label[x.outcome]}${pending.has(secretLabel(x)) ? ' (new name, pending)' : ''}`);
  // Taking them needs --overwrite and --force: --force because a bundle now counts as loaded (a
  // replay), and because a sent value older than yours is otherwise kept out.
  if (s.skipped || s.older) {
    const what = s.skipped && s.older ? 'the skipped and older values' : s.skipped ? 'the skipped values' : 'the older values';
    info(
      opts.again
        ? `${prefix}To take ${what} (yours go to history), run ${opts.again(['--overwrite', '--force'])} (--force: ${r.bundleId !== null ? 'this bundle now counts as loaded, and ' : ''}it takes sent values older than yours too).`
        : `${prefix}To take ${what}, ask ${r.sender} to export them again and load that file with \`seeqret load -f FILE --overwrite --force\` (this file was loaded and removed).`,
    );
  }
}

/** What {@link loadText} did. */
export interface LoadResult {
  readonly sender: string;
  readonly format: Serializer;
  readonly bundleId: string | null;
  readonly summary: ReturnType<Vault['setMany']>;
  /** New names this load added, pending until accepted. */
  readonly pending: SecretRecord[];
}

function senderUser(v: Vault, name: string | undefined, pubkeyB64: string | undefined): UserRecord {
  if (pubkeyB64) {
    const byKey = v.users().find((u) => u.pubkey === pubkeyB64);
    if (!byKey) throw new SeeqretError('E_UNKNOWN_USER', `the sender's key is not known to this vault${name ? ` (it says it is from ${name})` : ''}`, 'Add the sender first (seeqret add user ...) and verify the fingerprint.');
    if (name && byKey.username !== name) {
      throw new SeeqretError('E_BUNDLE_AUTH', `the bundle was made with ${byKey.username}'s key, not ${name}'s`, 'Check who really sent it.');
    }
    return byKey;
  }
  if (!name) throw new SeeqretError('E_USAGE', 'this format does not name its sender reliably', 'Pass -u SENDER (the user who exported it).');
  return v.user(name);
}

/**
 * Load transfer text of any supported format into the vault, all or nothing. Shared by `load`
 * and `inbox`.
 */
export function loadText(
  v: Vault,
  text: string,
  o: { sender?: string | undefined; serializer?: string | undefined; overwrite: boolean; force: boolean; isCommandValue?: boolean },
): LoadResult {
  const format: Serializer = o.serializer ? serializerOf(o.serializer) : looksLikeBundle(text) ? 'bundle' : o.isCommandValue ? 'command' : (detectV1Format(text) ?? 'bundle');
  // The sender's key and the replay record must be the ones seeqret wrote (a removed
  // loaded_bundles row would re-enable a replay; an older user row, an old key).
  v.checkIntegrity(['users', 'loaded_bundles', 'secrets']);
  let secrets: Array<{ app: string; env: string; key: string; type: string; value: string; updatedAt?: number }>;
  let sender: UserRecord;
  let bundleId: string | null = null;
  if (format === 'bundle') {
    const { header } = readBundleHeader(text);
    sender = senderUser(v, o.sender, header.sender.pubkey);
    if (v.bundleLoaded(header.id, header.sender.pubkey) && !o.force) {
      throw new SeeqretError('E_BUNDLE_REPLAY', `bundle ${header.id} from ${sender.username} was already loaded`, 'Nothing to do if it is a copy of one you loaded; to load it again anyway run `seeqret load -f FILE --force` (with --overwrite it can put back values older than yours).');
    }
    const opened = openBundle(text, { publicKey: v.publicKey, secretKey: v.identitySecretKey });
    secrets = opened.secrets.map((s) => ({ app: s.app, env: s.env, key: s.key, type: s.type, value: s.value, updatedAt: s.updated }));
    bundleId = header.id;
  } else {
    let claimed = o.sender;
    if (!claimed && format === 'json-crypt') {
      try {
        claimed = (JSON.parse(text) as { from?: { username?: string } }).from?.username;
      } catch {
        /* parseJsonCrypt reports the format error */
      }
    }
    if (!claimed && format === 'command') {
      const senders = [...new Set(commandSenders(text))];
      if (senders.length > 1) throw new SeeqretError('E_BUNDLE_FORMAT', `the lines name several senders: ${senders.join(', ')}`, 'Load each sender\'s lines separately with -u SENDER.');
      claimed = senders[0];
    }
    sender = senderUser(v, claimed, undefined);
    const senderKey = keyFromBase64(sender.pubkey)!;
    let parsed;
    if (format === 'json-crypt') {
      const jc = parseJsonCrypt(text, v.identitySecretKey, senderKey);
      if (!jc.signatureVerified) warn('this json-crypt file has no signature: nothing checks that values were not moved between names');
      parsed = jc.secrets;
    } else
      parsed = o.isCommandValue
          ? parseCommandText(`seeqret load -v${text}`, v.identitySecretKey, senderKey)
          : parseCommandText(text, v.identitySecretKey, senderKey);
    secrets = parsed.map((s) => ({ app: s.app, env: s.env, key: s.key, type: s.type, value: s.value, ...(s.updatedAt ? { updatedAt: s.updatedAt * 1000 } : {}) }));
    warn(`the ${format} format does not authenticate names, types or sender (only that each value opened with ${sender.username}'s key); prefer the default bundle format`);
  }
  const summary = v.setMany(secrets, {
    update: o.overwrite,
    keepNewer: !o.force,
    load: { ...(bundleId ? { bundleId } : {}), sender: sender.username, senderPubkey: sender.pubkey, format },
    // The sender chose these names: new ones start pending until this person accepts them.
    received: `load from ${sender.username}`,
  });
  const pending = summary.outcomes.filter((x) => x.outcome === 'added').map((x) => v.lookup(x.app, x.env, x.key)!).filter((r) => r.pending);
  return { sender: sender.username, format, bundleId, summary, pending };
}

/** Read a file of transfer text (for `inbox`). */
export function readTransferFile(file: string): string {
  return readTextFileCapped(file, 'bundle');
}
