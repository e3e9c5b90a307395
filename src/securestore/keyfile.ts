/**
 * SecureStore key files and the `.gitignore` rule that keeps them out of git.
 *
 * A key file holds the 32-byte master key, either PEM-style as the reference writes it (99 bytes:
 * `-----BEGIN PRIVATE KEY-----\n<44 base64 chars>\n-----END PRIVATE KEY-----\n`) or, in the legacy
 * form, as the raw 32 bytes. Both are read; the PEM form is written, atomically and 0600.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SS_KEY_BYTES } from '../crypto/securestore.js';
import { SeeqretError } from '../errors.js';
import { atomicWriteFile } from '../util/atomic-write.js';
import { findVcsRoot } from '../util/vcs.js';
import { ioError } from '../util/fs.js';
import { readFileCapped } from '../util/read-capped.js';
import { decodeBase64Strict } from './format.js';

const BEGIN = '-----BEGIN PRIVATE KEY-----';
const END = '-----END PRIVATE KEY-----';
/** Larger files are not key files (the reference stops reading at 4 KiB too). */
const MAX_KEY_FILE_BYTES = 4096;

function keyFileError(source: string, what: string): SeeqretError {
  return new SeeqretError('E_SS_KEY_FILE', `${source} is not a SecureStore key file: ${what}`, 'Use the key file exported for this vault (ssclient create/export-key or seeqret securestore export-key).');
}

/** The PEM-style text of a key file (exactly 99 bytes for a 32-byte key). */
export function formatKeyFile(key: Uint8Array): string {
  if (key.length !== SS_KEY_BYTES) throw new SeeqretError('E_INTERNAL', 'a SecureStore key is 32 bytes', 'Report this bug.');
  return `${BEGIN}\n${Buffer.from(key).toString('base64')}\n${END}\n`;
}

/**
 * The key in key-file bytes: exactly 32 bytes are the raw key; anything else must contain a
 * `BEGIN PRIVATE KEY` … `END PRIVATE KEY` block (lines trimmed) whose base64 decodes to 32 bytes.
 *
 * @throws SeeqretError `E_SS_KEY_FILE`.
 */
export function parseKeyFile(bytes: Uint8Array, source = 'the key'): Buffer {
  if (bytes.length === SS_KEY_BYTES) return Buffer.from(bytes);
  if (bytes.length > MAX_KEY_FILE_BYTES) throw keyFileError(source, `it is larger than ${MAX_KEY_FILE_BYTES} bytes`);
  if (bytes.length === 0) throw keyFileError(source, 'it is empty');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw keyFileError(source, `it is neither ${SS_KEY_BYTES} raw bytes nor PEM-style text`);
  }
  return parseKeyText(text, source);
}

/** The key in PEM-style text (see {@link parseKeyFile}). */
export function parseKeyText(text: string, source = 'the key'): Buffer {
  let state: 'before' | 'inside' | 'done' = 'before';
  let body = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (state === 'before') {
      if (line === BEGIN) state = 'inside';
    } else if (line === END) {
      state = 'done';
      break;
    } else body += line;
  }
  if (state !== 'done') throw keyFileError(source, `no complete ${BEGIN} … ${END} block`);
  const key = decodeBase64Strict(body);
  if (!key || key.length !== SS_KEY_BYTES) {
    key?.fill(0);
    throw keyFileError(source, `the block is not base64 of ${SS_KEY_BYTES} bytes`);
  }
  return key;
}

/** Read a key file. @throws SeeqretError `E_FILE_NOT_FOUND`, `E_SS_KEY_FILE`, … */
export function readKeyFile(file: string): Buffer {
  const bytes = readFileCapped(file, 'keyFile');
  try {
    return parseKeyFile(bytes, file);
  } finally {
    bytes.fill(0);
  }
}

/** Write `key` PEM-style to `file`, atomically and 0600. */
export function writeKeyFile(file: string, key: Uint8Array): void {
  const text = Buffer.from(formatKeyFile(key), 'utf8');
  try {
    atomicWriteFile(file, text);
  } finally {
    text.fill(0);
  }
}

/** True when `file` is missing or empty (the reference then generates a key there). */
export function isMissingOrEmpty(file: string): boolean {
  try {
    return fs.statSync(file).size === 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw ioError(e, file);
  }
}

/** What {@link ignoreKeyFile} did. */
export interface IgnoreResult {
  /** The `.gitignore` in the key file's folder. */
  readonly file: string;
  /** `added` a rule, found one `present` already, or `skipped` (not a regular file). */
  readonly outcome: 'added' | 'present' | 'skipped';
  /** The `.gitignore` did not exist before. */
  readonly created: boolean;
}

/**
 * When the key file lies inside a git work tree, make sure the `.gitignore` next to it ignores
 * it: a rule `name`, `/name` or `*.ext` already there is enough; otherwise
 * `# SecureStore key file ignore rule:\n/<name>\n` is appended (the reference's text), the whole
 * file rewritten atomically. Returns `null` outside a git work tree.
 */
export function ignoreKeyFile(keyFile: string): IgnoreResult | null {
  const abs = path.resolve(keyFile);
  const dir = path.dirname(abs);
  const vcs = findVcsRoot(dir);
  if (!vcs || vcs.vcs !== 'git') return null;
  const name = path.basename(abs);
  const file = path.join(dir, '.gitignore');
  let existing: Buffer | null = null;
  let mode = 0o644;
  try {
    const st = fs.lstatSync(file);
    if (!st.isFile()) return { file, outcome: 'skipped', created: false };
    mode = st.mode & 0o777;
    existing = readFileCapped(file, 'settings');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(e, file);
  }
  const text = existing ? existing.toString('utf8') : '';
  const ext = path.extname(name);
  const matches = new Set([name, ...(ext && ext !== name ? [`*${ext}`] : [])]);
  for (const line of text.split(/\r?\n/)) {
    const rule = line.trim();
    if (matches.has(rule.startsWith('/') ? rule.slice(1) : rule)) return { file, outcome: 'present', created: false };
  }
  const sep = text.length > 0 && !text.endsWith('\n') ? '\n' : '';
  // The existing bytes are kept as they are (even if they are not UTF-8).
  atomicWriteFile(file, Buffer.concat([existing ?? Buffer.alloc(0), Buffer.from(`${sep}# SecureStore key file ignore rule:\n/${name}\n`, 'utf8')]), mode);
  return { file, outcome: 'added', created: existing === null };
}
