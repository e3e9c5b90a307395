/**
 * Deleting files that held secrets: overwrite with noise, then unlink.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { noiseBytes } from '../crypto/noise.js';
import { ioError, lstatIfExists } from './fs.js';

/**
 * Delete a file that held secrets so its content does not stay readable on the disk: overwrite it
 * with random bytes, fsync, rename it to a random name (so the old name no longer points at the
 * data, and a directory listing shows nothing), then unlink it. A symbolic link is only unlinked
 * (its target is not touched); a missing file is not an error.
 *
 * On copy-on-write or journaling file systems and SSDs the old blocks may survive anyway; this is
 * psec's (and `shred`'s) best effort, not a guarantee.
 *
 * @throws SeeqretError `E_IO`/`E_PERMISSIONS` when the file cannot be overwritten or removed.
 */
export function secureDelete(file: string): void {
  const st = lstatIfExists(file);
  if (st === null) return;
  try {
    if (!st.isFile()) {
      fs.unlinkSync(file);
      return;
    }
    const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW);
    try {
      const chunk = 64 * 1024;
      for (let off = 0; off < st.size; off += chunk) {
        const n = Math.min(chunk, st.size - off);
        const noise = noiseBytes(n);
        fs.writeSync(fd, noise, 0, n, off);
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    const moved = path.join(path.dirname(file), `.${noiseBytes(12).toString('hex')}`);
    fs.renameSync(file, moved);
    fs.unlinkSync(moved);
  } catch (e) {
    throw ioError(e, file);
  }
}

/**
 * Remove a folder tree, deleting every regular file in it with {@link secureDelete} first.
 * Symbolic links are unlinked, never followed. A missing folder is not an error.
 *
 * @returns The number of files securely deleted.
 */
export function secureDeleteTree(dir: string): number {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 0;
    if (code === 'ENOTDIR') {
      secureDelete(dir);
      return 1;
    }
    throw ioError(e, dir);
  }
  let n = 0;
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += secureDeleteTree(p);
    else {
      if (e.isFile()) n += 1;
      secureDelete(p);
    }
  }
  try {
    fs.rmdirSync(dir);
  } catch (e) {
    throw ioError(e, dir);
  }
  return n;
}
