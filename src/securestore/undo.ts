/**
 * The files written next to a new SecureStore vault (key files, `.gitignore` rules) and their
 * undo: a failure before the vault is saved leaves none of them changed. Messages about the
 * changes are collected as data and returned once the changes stay.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { atomicWriteFile } from '../util/atomic-write.js';
import { ioError } from '../util/fs.js';
import { readFileCapped } from '../util/read-capped.js';
import type { NewSource } from './access.js';
import { ignoreKeyFile } from './keyfile.js';
import type { SecretsManager } from './manager.js';

/** Files about to be written, with what they held before, and messages about the changes. */
export class Undo {
  readonly #saved = new Map<string, { bytes: Buffer; mode: number } | null>();
  readonly #notes: string[] = [];

  /** A message about a change, returned by {@link notes} (dropped when the change is undone). */
  note(line: string): void {
    this.#notes.push(line);
  }

  /** The messages about the changes made. */
  notes(): readonly string[] {
    return [...this.#notes];
  }

  /** Remember `file` as it is now (once). */
  keep(file: string): void {
    const abs = path.resolve(file);
    if (this.#saved.has(abs)) return;
    try {
      const st = fs.statSync(abs);
      this.#saved.set(abs, { bytes: readFileCapped(abs, 'settings'), mode: st.mode & 0o777 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(e, file);
      this.#saved.set(abs, null);
    }
  }

  /** Put every remembered file back as it was (best effort; the first error is what is reported). */
  restore(): void {
    for (const [file, before] of [...this.#saved].reverse()) {
      try {
        if (before === null) fs.rmSync(file, { force: true });
        else atomicWriteFile(file, before.bytes, before.mode);
      } catch {
        /* keep going: the original error matters more */
      }
    }
    this.#notes.length = 0;
  }
}

/** Add the key file's `.gitignore` rule (inside a git work tree, when `vcs`) and note it. */
export function ignore(keyFile: string, vcs: boolean, undo: Undo): void {
  if (!vcs) return;
  undo.keep(path.join(path.dirname(path.resolve(keyFile)), '.gitignore'));
  const r = ignoreKeyFile(keyFile);
  if (!r) return;
  if (r.outcome === 'added') undo.note(`Added an ignore rule for ${keyFile} to ${r.file}${r.created ? ' (new file)' : ''}`);
  else if (r.outcome === 'skipped') undo.note(`Did not add an ignore rule: ${r.file} is not a regular file`);
}

/** Write a new vault's new key file (before the vault, so a vault never exists without its key) and its ignore rule. */
export function writeNewKey(sman: SecretsManager, n: NewSource, vcs: boolean, undo: Undo): void {
  if (n.keyFile && n.writeKeyFile) {
    undo.keep(n.keyFile);
    sman.exportKey(n.keyFile);
    undo.note(`Saved the new key to ${n.keyFile} (0600); keep it out of version control`);
  }
  if (n.keyFile) ignore(n.keyFile, vcs, undo);
}

/** Write the key files and `.gitignore` rules (`before`), then the vault; on failure undo them all. Returns the notes. */
export function saveWithKeys(sman: SecretsManager, before: (undo: Undo) => void): readonly string[] {
  const undo = new Undo();
  try {
    before(undo);
    sman.save();
  } catch (e) {
    undo.restore();
    throw e;
  }
  return undo.notes();
}
