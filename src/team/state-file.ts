/**
 * The team state file (`team-state.json` in the vault folder, 0600): the pins of every team file
 * this vault trusts, read, checked and updated under a lock.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../errors.js';
import { atomicWriteFile } from '../util/atomic-write.js';
import { ensurePrivateDir } from '../util/fs.js';
import { type LockOptions, withFileLock } from '../util/lock.js';
import { readTextFileCapped } from '../util/read-capped.js';
import { codePointCompare } from '../util/compare.js';
import { type Observation, type TeamPin, own, STATE_FILE, STATE_FORMAT } from './state.js';

/** All pins of a vault folder: real path of the team file → pin. */
export type TeamState = Map<string, TeamPin>;

function badState(file: string, why: string): SeeqretError {
  return new SeeqretError('E_TEAM_FORMAT', `${file} is not a valid seeqret team-state file: ${why}`, `Move it aside (mv '${file}' '${file}.bad'); seeqret then treats each team file as seen for the first time.`);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrArr = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isStrMap = (v: unknown): v is Record<string, string> => isObj(v) && Object.values(v).every((x) => typeof x === 'string');
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

function parsePin(v: unknown, file: string, where: string): TeamPin {
  const no = (why: string): never => {
    throw badState(file, `${where}: ${why}`);
  };
  if (!isObj(v)) return no('not an object');
  const { seen, hash, signed, team, seq, seqs, keys, values, retired } = v;
  if (typeof seen !== 'number' || typeof hash !== 'string' || typeof signed !== 'boolean') return no('seen, hash or signed missing');
  if (!(team === null || typeof team === 'string') || !(seq === null || isSeq(seq))) return no('bad team or seq');
  if (!isObj(seqs) || !Object.values(seqs).every(isSeq)) return no('bad seqs');
  if (!isObj(keys) || !isStrMap(keys['custodians']) || !isObj(keys['domains'])) return no('bad keys');
  const domains = Object.fromEntries(
    Object.entries(keys['domains']).map(([d, e]) => {
      if (!isObj(e) || typeof e['key'] !== 'string' || !isStrArr(e['owners'])) return no(`bad keys of domain ${d}`);
      return [d, { key: e['key'], owners: [...e['owners']] }];
    }),
  );
  if (!isObj(values) || !Object.values(values).every(isStrMap)) return no('bad values');
  if (!isObj(retired) || !isStrArr(retired['domainKeys']) || !isStrArr(retired['custodianKeys']) || !isStrArr(retired['values'])) return no('bad retired');
  return {
    seen,
    hash,
    signed,
    team,
    seq,
    seqs: { ...(seqs as Record<string, number>) },
    keys: { custodians: { ...keys['custodians'] }, domains },
    values: Object.fromEntries(Object.entries(values as Record<string, Record<string, string>>).map(([d, m]) => [d, { ...m }])),
    retired: { domainKeys: [...retired['domainKeys']], custodianKeys: [...retired['custodianKeys']], values: [...retired['values']] },
  };
}

/** Parse the text of a state file (`file` names it in messages). */
export function parseTeamState(text: string, file: string): TeamState {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw badState(file, 'not JSON');
  }
  if (!isObj(data) || data['format'] !== STATE_FORMAT || !isObj(data['files'])) throw badState(file, `not ${STATE_FORMAT}`);
  const out: TeamState = new Map();
  for (const [p, v] of Object.entries(data['files'])) out.set(p, parsePin(v, file, p));
  return out;
}

/** The text of a state file. */
export function serializeTeamState(state: TeamState): string {
  const files = Object.fromEntries([...state].sort((a, b) => codePointCompare(a[0], b[0])));
  return JSON.stringify({ format: STATE_FORMAT, files }, null, 1) + '\n';
}

/**
 * Refuse a state (or trust) file that another user could have written: it decides what seeqret
 * trusts, so it must be a plain file owned by you (or root) and not writable by group or others.
 */
export function checkPrivateStateFile(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch {
    return;
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (!st.isFile() || (st.mode & 0o022) !== 0 || (uid !== undefined && st.uid !== uid && st.uid !== 0)) {
    throw new SeeqretError('E_PERMISSIONS', `${file} decides which team-file keys you trust, but ${st.isFile() ? 'others could have written it' : 'it is not a plain file'}`, `If you did not change it yourself, remove it (rm '${file}'); otherwise make it yours and private: chmod 600 '${file}'.`);
  }
}

/** Read the pins of a vault folder (empty when there are none). */
export function readTeamState(vaultDir: string): TeamState {
  const file = path.join(vaultDir, STATE_FILE);
  if (!fs.existsSync(file)) return new Map();
  checkPrivateStateFile(file);
  return parseTeamState(readTextFileCapped(file, 'settings'), file);
}

/**
 * Change the pins of a vault folder under its lock (re-read, apply, write atomically, 0600); the
 * folder is created (0700) when missing. Returns what `fn` returns.
 */
export function updateTeamState<T>(vaultDir: string, fn: (state: TeamState) => T, lock: LockOptions = {}): T {
  // A missing folder is made 0700; an existing one keeps its mode (a server vault's is 0750 on purpose).
  if (!fs.existsSync(vaultDir)) ensurePrivateDir(vaultDir);
  const file = path.join(vaultDir, STATE_FILE);
  return withFileLock(
    file,
    () => {
      const state = readTeamState(vaultDir);
      const out = fn(state);
      atomicWriteFile(file, serializeTeamState(state));
      return out;
    },
    { what: file, ...lock },
  );
}

/** The real path a team file is pinned under (its folder resolved, for a file not written yet). */
export function pinPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    try {
      return path.join(fs.realpathSync(path.dirname(path.resolve(file))), path.basename(file));
    } catch {
      return path.resolve(file);
    }
  }
}

/**
 * The pin for `obs` at `realPath`: the path's own, else (a copy, a move, another worktree) the
 * most recently seen pin of a file that shares a team id, a domain key or a passphrase custodian's
 * key entry with it. Returns the key it was found under too.
 */
export function findPin(state: TeamState, realPath: string, obs: Observation): { pin: TeamPin; from: string } | null {
  const here = state.get(realPath);
  if (here) return { pin: here, from: realPath };
  const domainKeys = new Set(Object.values(obs.keys.domains).map((e) => e.key));
  const custodianKeys = new Set(Object.values(obs.keys.custodians).filter((e) => e.startsWith('pwdkm:')));
  let best: { pin: TeamPin; from: string } | null = null;
  for (const [p, pin] of state) {
    const related =
      (obs.team !== null && own(pin.seqs, obs.team) !== undefined) ||
      Object.values(pin.keys.domains).some((e) => domainKeys.has(e.key)) ||
      Object.values(pin.keys.custodians).some((e) => custodianKeys.has(e)) ||
      pin.retired.domainKeys.some((k) => domainKeys.has(k)) ||
      pin.retired.custodianKeys.some((k) => custodianKeys.has(k));
    if (related && (!best || pin.seen > best.pin.seen)) best = { pin, from: p };
  }
  return best;
}
