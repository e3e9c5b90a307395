/**
 * The one file with plaintext values that `seeqret edit -f` writes: 0600, alone in a new 0700
 * folder, on a memory-backed file system when there is one (`/dev/shm`), overwritten with zeros
 * and removed afterwards — also when the editor fails, or the command is interrupted.
 *
 * @module
 */
import { readTextFileCapped } from '../util/read-capped.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the folder goes: `/dev/shm` when it is a usable folder (tmpfs on Linux), else the temp folder. */
export function scratchParent(candidates: readonly string[] = ['/dev/shm']): { dir: string; inMemory: boolean } {
  for (const c of candidates) {
    try {
      if (fs.statSync(c).isDirectory()) {
        fs.accessSync(c, fs.constants.W_OK | fs.constants.X_OK);
        return { dir: c, inMemory: true };
      }
    } catch {
      /* next */
    }
  }
  return { dir: os.tmpdir(), inMemory: false };
}

/** A private scratch file with `content`; {@link ScratchFile.destroy} overwrites and removes it. */
export class ScratchFile {
  /** The file (give it to the editor). */
  readonly file: string;
  readonly #dir: string;

  /** Create the folder (0700) and the file (0600, exclusive) and write `content`. */
  constructor(content: string, parent: string = scratchParent().dir, name = 'secrets.env') {
    this.#dir = fs.mkdtempSync(path.join(parent, 'seeqret-edit-'));
    fs.chmodSync(this.#dir, 0o700);
    this.file = path.join(this.#dir, name);
    const fd = fs.openSync(this.file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
    try {
      fs.writeSync(fd, content);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The file's content now (as the editor left it). */
  read(): string {
    return readTextFileCapped(this.file, 'dotenv', 'the edited file');
  }

  /**
   * Overwrite every file in the folder with zeros (editors may leave a backup or swap file there
   * too), then remove the folder. Never throws: it is called while unwinding.
   */
  destroy(): void {
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.#dir);
    } catch {
      return;
    }
    for (const n of names) {
      const f = path.join(this.#dir, n);
      try {
        const st = fs.lstatSync(f);
        if (st.isFile() && st.size > 0) {
          const fd = fs.openSync(f, 'r+');
          try {
            fs.writeSync(fd, Buffer.alloc(st.size), 0, st.size, 0);
            fs.fsyncSync(fd);
          } finally {
            fs.closeSync(fd);
          }
        }
      } catch {
        /* removed below all the same */
      }
    }
    fs.rmSync(this.#dir, { recursive: true, force: true });
  }
}
