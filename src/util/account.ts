/**
 * The name of the account this process runs as, as `os.userInfo().username` gives it: the C
 * library's `getpwuid_r` of the effective uid. Where /etc/nsswitch.conf makes `files` the first
 * source of the passwd database (the default of Debian, Ubuntu, Fedora and most containers), that
 * lookup returns the first entry of /etc/passwd with this uid, so the name is read from that file
 * here: a `get` then does not load Node's `os` module for it (~1.3 M instructions, decision 71).
 *
 * Only what the C library would parse the same way is trusted: any line before the match that is
 * not a plain entry (`name:password:uid:gid:gecos:home:shell`, decimal ids, an ASCII name), a
 * second `passwd` line or an action after `files` in nsswitch.conf, an unreadable file — then the
 * name comes from `os.userInfo()`, as before.
 *
 * @module
 */
import fs from 'node:fs';
import { hostOs, hostUid } from '../host.js';

/** Larger files are left to the C library (a directory dumped into /etc/passwd, say). */
const MAX_BYTES = 1 << 20;

/** A blank the C library skips before a line of /etc/passwd (`isspace` but the line feed). */
function blank(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d && c !== 0x0a);
}

/** A uid or gid as `strtoul` reads it the same: 1–10 decimal digits, no leading zero, at most 2^32 − 1. */
function plainId(s: string): number | undefined {
  if (s.length === 0 || s.length > 10 || (s.length > 1 && s.startsWith('0'))) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  const n = Number(s);
  return n > 0xffff_ffff ? undefined : n;
}

/** Printable ASCII, not starting with a blank: decoded the same from the file and by Node. */
function plainAscii(s: string): boolean {
  if (s.length === 0 || s.charCodeAt(0) === 0x20) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/**
 * Whether the `passwd` line of nsswitch.conf text `conf` names `files` first, with no action
 * after it: `getpwuid_r` then answers from /etc/passwd whenever the uid is there.
 */
export function passwdFromFilesFirst(conf: string): boolean {
  let services: string | undefined;
  for (const raw of conf.split('\n')) {
    const hash = raw.indexOf('#');
    const line = hash < 0 ? raw : raw.slice(0, hash);
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim().toLowerCase() !== 'passwd') continue;
    // Two passwd lines, or one spelt otherwise than at the start in lower case: left to the C library.
    if (services !== undefined || !line.startsWith('passwd')) return false;
    services = line.slice(colon + 1);
  }
  if (services === undefined) return false;
  const tokens = services.split(/[ \t]+/).filter((t) => t !== '');
  return tokens[0] === 'files' && !(tokens[1] ?? '').startsWith('[');
}

/**
 * The name of the first entry of passwd text `passwd` whose uid is `uid`, as the C library's
 * `files` source reads it (leading blanks skipped, empty and `#` lines ignored), or `undefined`
 * when there is none, a line before it is not a plain entry (seven fields, decimal ids, a name
 * that starts with neither `+` nor `-`), or the name is not printable ASCII.
 */
export function passwdName(passwd: string, uid: number): string | undefined {
  for (let start = 0; start < passwd.length; ) {
    let end = passwd.indexOf('\n', start);
    if (end < 0) end = passwd.length;
    let i = start;
    while (i < end && blank(passwd.charCodeAt(i))) i++;
    const line = passwd.slice(i, end);
    start = end + 1;
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    const [name = '', , id = '', gid = ''] = f;
    if (f.length !== 7 || line.includes('\0') || name === '' || name.startsWith('+') || name.startsWith('-')) return undefined;
    const n = plainId(id);
    if (n === undefined || plainId(gid) === undefined) return undefined;
    if (n === uid) return plainAscii(name) ? name : undefined;
  }
  return undefined;
}

function readText(file: string): string | undefined {
  try {
    const bytes = fs.readFileSync(file);
    return bytes.length > MAX_BYTES ? undefined : bytes.toString('latin1');
  } catch {
    return undefined;
  }
}

/** The name of the account of this process's effective uid (`os.userInfo().username`; throws as it does). */
export function accountName(): string {
  const uid = hostUid();
  if (uid >= 0) {
    const conf = readText('/etc/nsswitch.conf');
    if (conf !== undefined && passwdFromFilesFirst(conf)) {
      const passwd = readText('/etc/passwd');
      const name = passwd === undefined ? undefined : passwdName(passwd, uid);
      if (name !== undefined) return name;
    }
  }
  return hostOs().userInfo().username;
}
