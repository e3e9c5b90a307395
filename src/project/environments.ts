/**
 * Environments of a project: create (empty or cloned from descriptions), list, delete, rename,
 * and the file tree. An environment exists when it has a descriptions folder
 * (`<descriptions>/<env>/`) or values in the vault (`app:env:*`), or both.
 *
 * Cloning copies descriptions, never values. Descriptions hold no secrets, so their folders and
 * files get ordinary modes (0755 / 0644) for the repository; values live only in the vault.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../errors.js';
import { type Group, loadGroups, parseGroupText } from './descriptions.js';
import { randomBytes } from '../crypto/index.js';
import { SHARED_FILE_MODE, ensureDir, ioError } from '../util/fs.js';
import { atomicWriteFile } from '../util/atomic-write.js';
import { decodeUtf8, readFileCapped } from '../util/read-capped.js';
import { printable } from '../util/text.js';
import type { Vault } from '../vault/vault.js';
import { GROUPS_DIR, type Project, checkEnvironmentName, describedEnvironments, environmentDir, environmentExists, environmentNameProblem, groupsDir } from './project.js';
import { hostCwd, hostEnvironment } from '../host.js';

/** What `--clone-from` names, once resolved. */
export interface CloneSource {
  /** `environment`: another environment of the project; `folder`: a `secrets.d`-style folder; `file`: one group file. */
  readonly kind: 'environment' | 'folder' | 'file';
  /** The folder or file read. */
  readonly path: string;
  /** The source as given, for messages. */
  readonly label: string;
}

/** A group file to write: its name in `secrets.d/` and its exact bytes. */
export interface GroupFile {
  readonly name: string;
  readonly bytes: Buffer;
  /** The parsed group (validated). */
  readonly group: Group;
}

const GROUP_FILE_RE = /\.(?:json|ya?ml)$/i;

function expandHome(p: string, home: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(home, p.slice(1));
  return p;
}

/**
 * Resolve a clone source. A source that contains a path separator, starts with `~` or `.`, or
 * ends in `.d`, `.json`, `.yaml` or `.yml` is a path: a file is one group description; a folder is a
 * descriptions folder (psec's `secrets.d`) or, when it holds a `secrets.d` folder, a psec
 * environment folder (its `secrets.d` is used); a relative path is relative to `base`, `~` is
 * `home` (defaults: the process's folder and HOME). Anything else names another environment of the
 * project.
 *
 * @throws SeeqretError `E_FILE_NOT_FOUND` for a missing path, `E_NOT_FOUND` for an environment
 *   without descriptions, `E_USAGE` for a folder without descriptions.
 */
export function resolveCloneSource(project: Project, source: string, base: string = hostCwd(), home: string = hostEnvironment()['HOME'] ?? ''): CloneSource {
  const looksLikePath = /[\\/]/.test(source) || source.startsWith('~') || source.startsWith('.') || /\.(?:d|json|ya?ml)$/i.test(source);
  if (!looksLikePath) {
    checkEnvironmentName(source);
    if (!environmentExists(project, source)) {
      throw new SeeqretError('E_NOT_FOUND', `environment ${source} has no descriptions to clone`, 'Run `seeqret environments list`; to clone a folder, write it as a path (./name or name.d).');
    }
    return { kind: 'environment', path: groupsDir(project, source), label: `environment ${source}` };
  }
  const p = path.resolve(base, expandHome(source, home));
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (e) {
    throw ioError(e, p);
  }
  if (st.isFile()) return { kind: 'file', path: p, label: printable(source) };
  if (!st.isDirectory()) throw new SeeqretError('E_USAGE', `${printable(p)} is neither a file nor a folder`, 'Clone from a secrets.d folder, a .json/.yaml description file, or an environment.');
  const inner = path.join(p, GROUPS_DIR);
  if (path.basename(p) !== GROUPS_DIR && fs.existsSync(inner) && fs.statSync(inner).isDirectory()) return { kind: 'folder', path: inner, label: printable(source) };
  return { kind: 'folder', path: p, label: printable(source) };
}

/**
 * The group files of a clone source, every one parsed and validated (a variable described twice
 * across the files is an error). A single file keeps its name; a folder gives its `.json`,
 * `.yaml` and `.yml` files.
 *
 * @throws SeeqretError `E_BAD_VALUE` for any description error, `E_USAGE` for a folder without
 *   description files (unless it is an environment's, which may be empty).
 */
export function readCloneSource(src: CloneSource): GroupFile[] {
  if (src.kind === 'file') {
    const bytes = readFileCapped(src.path, 'descriptions');
    const name = path.basename(src.path);
    if (!GROUP_FILE_RE.test(name)) {
      throw new SeeqretError('E_USAGE', `${printable(src.path)} is not a .json, .yaml or .yml description file`, 'Rename it with the extension of its format.');
    }
    return [{ name, bytes, group: parseGroupText(decodeUtf8(bytes, src.path), src.path) }];
  }
  const groups = loadGroups(src.path); // validates every file and duplicates across files
  if (groups.length === 0 && src.kind === 'folder') {
    throw new SeeqretError('E_USAGE', `${printable(src.path)} holds no .json/.yaml description files`, 'Clone from a secrets.d folder with group files, a description file, or an environment.');
  }
  return groups.map((g) => ({ name: path.basename(g.file), bytes: readFileCapped(g.file, 'descriptions'), group: g }));
}

/** The result of creating one environment. */
export interface CreatedEnvironment {
  readonly env: string;
  readonly dir: string;
  readonly groups: readonly Group[];
}

/**
 * Create environments: `<descriptions>/<env>/secrets.d/` for each, with the group files of
 * `files` copied byte for byte (cloning copies descriptions, never values). Each environment
 * folder is assembled under a temporary name and renamed into place; if one fails, those created
 * by this call are removed again (all or nothing).
 *
 * @throws SeeqretError `E_EXISTS` when an environment already has a folder (checked for all before
 *   anything is written), `E_INVALID_NAME`, `E_USAGE` for a name given twice.
 */
export function createEnvironments(project: Project, envs: readonly string[], files: readonly GroupFile[] = []): CreatedEnvironment[] {
  const seen = new Set<string>();
  for (const env of envs) {
    checkEnvironmentName(env);
    if (seen.has(env)) throw new SeeqretError('E_USAGE', `environment ${env} is named twice`, 'Name each environment once.');
    seen.add(env);
    if (fs.existsSync(environmentDir(project, env))) {
      throw new SeeqretError('E_EXISTS', `environment ${env} already exists (${printable(environmentDir(project, env))})`, 'Choose another name, or delete it first with `seeqret environments delete`.');
    }
  }
  ensureDir(project.descriptionsDir);
  const made: string[] = [];
  try {
    for (const env of envs) {
      const final = environmentDir(project, env);
      const tmp = path.join(project.descriptionsDir, `.${env}.new-${randomBytes(6).toString('hex')}`);
      try {
        ensureDir(path.join(tmp, GROUPS_DIR));
        for (const f of files) atomicWriteFile(path.join(tmp, GROUPS_DIR, f.name), f.bytes, SHARED_FILE_MODE);
        fs.renameSync(tmp, final);
      } catch (e) {
        fs.rmSync(tmp, { recursive: true, force: true });
        throw ioError(e, final);
      }
      made.push(final);
    }
  } catch (e) {
    for (const d of made) fs.rmSync(d, { recursive: true, force: true });
    throw e;
  }
  return envs.map((env) => ({ env, dir: environmentDir(project, env), groups: files.map((f) => ({ ...f.group, file: path.join(groupsDir(project, env), f.name) })) }));
}

/** One environment as `environments list` shows it. */
export interface EnvironmentInfo {
  /** The environment's name. */
  readonly name: string;
  /** It has a descriptions folder. */
  readonly described: boolean;
  /** Number of values stored in the vault (`app:env:*`), or `null` when no vault was read. */
  readonly values: number | null;
}

/** The environments with values in the vault for the project's app (env `*` excluded), with counts. */
export function vaultEnvironments(vault: Vault, project: Project): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of vault.all()) {
    if (r.app !== project.app || environmentNameProblem(r.env) !== null) continue;
    counts.set(r.env, (counts.get(r.env) ?? 0) + 1);
  }
  return counts;
}

/** Every environment of the project: described ones and those with values in `vault`, sorted. */
export function listEnvironments(project: Project, vault: Vault | null): EnvironmentInfo[] {
  const described = new Set(describedEnvironments(project));
  const counts = vault ? vaultEnvironments(vault, project) : new Map<string, number>();
  const names = [...new Set([...described, ...counts.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.map((name) => ({ name, described: described.has(name), values: vault ? (counts.get(name) ?? 0) : null }));
}

/** Remove an environment's descriptions folder (no secrets in it: an ordinary recursive delete). */
export function deleteEnvironmentFolder(project: Project, env: string): boolean {
  const dir = environmentDir(project, env);
  if (!fs.existsSync(dir)) return false;
  try {
    fs.rmSync(dir, { recursive: true });
  } catch (e) {
    throw ioError(e, dir);
  }
  return true;
}

/** Rename `from`'s descriptions folder to `to` (when it has one). */
export function renameEnvironmentFolder(project: Project, from: string, to: string): boolean {
  const a = environmentDir(project, from);
  const b = environmentDir(project, to);
  if (!fs.existsSync(a)) return false;
  if (fs.existsSync(b)) throw new SeeqretError('E_EXISTS', `environment ${to} already exists (${printable(b)})`, `Delete or rename environment ${to} first.`);
  try {
    fs.renameSync(a, b);
  } catch (e) {
    throw ioError(e, a);
  }
  return true;
}

/**
 * A folder as the `tree` command draws it (`├──`, `└──`, `│`), folders and files sorted by name,
 * symbolic links shown but not followed. With `noFiles`, folders only.
 */
export function treeLines(dir: string, opts: { noFiles?: boolean } = {}): string[] {
  const lines = [dir];
  let dirs = 0;
  let files = 0;
  const walk = (d: string, prefix: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (e) {
      throw ioError(e, d);
    }
    const shown = entries.filter((e) => !opts.noFiles || e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    shown.forEach((e, i) => {
      const last = i === shown.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${printable(e.name)}${e.isSymbolicLink() ? ' -> (link)' : ''}`);
      if (e.isDirectory()) {
        dirs++;
        walk(path.join(d, e.name), `${prefix}${last ? '    ' : '│   '}`);
      } else files++;
    });
  };
  walk(dir, '');
  lines.push('', opts.noFiles ? `${dirs} director${dirs === 1 ? 'y' : 'ies'}` : `${dirs} director${dirs === 1 ? 'y' : 'ies'}, ${files} file${files === 1 ? '' : 's'}`);
  return lines;
}
