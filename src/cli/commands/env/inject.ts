/**
 * `seeqret inject [-i FILE] [-o FILE|-] [-e ENV]`: fill `{{ seeqret://… }}` references in any
 * text file (as `op inject`). The output file is written atomically with mode 0600, only when every
 * reference resolved; without `-o` (or with `-o -`) the result goes to stdout. The use case is in
 * src/inject/inject-file.ts.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../../../errors.js';
import { injectReferences } from '../../../inject/inject-file.js';
import { runReferenceDefaults } from '../../../inject/run.js';
import { atomicWriteFile } from '../../../util/atomic-write.js';
import { lstatIfExists, sameFile } from '../../../util/fs.js';
import { decodeUtf8, readTextFileCapped } from '../../../util/read-capped.js';
import { printable } from '../../../util/text.js';
import { type GlobalOptions, info, readStdin, withVault, writeData } from '../../context.js';
import { io } from '../../cli-io.js';

/** Options of `seeqret inject`. */
export interface InjectOptions {
  /** `-i/--in FILE`: the template (default: stdin). */
  readonly in?: string;
  /** `-o/--out FILE`: the output file, `-` for stdout (the default). */
  readonly out?: string;
  /** `-e/--env ENV`: the project environment short references point to. */
  readonly env?: string;
}

export async function inject(g: GlobalOptions, o: InjectOptions): Promise<number> {
  const cwd = io().cwd;
  const input = o.in === undefined || o.in === '-' ? null : path.resolve(cwd, o.in);
  const output = o.out === undefined || o.out === '-' ? null : path.resolve(cwd, o.out);
  if (output !== null) {
    const shown = printable(o.out ?? '');
    if (input !== null && sameFile(input, output)) throw new SeeqretError('E_USAGE', `the output ${shown} is the template itself`, 'Write the result to another file (or - for stdout).');
    const st = lstatIfExists(output);
    if (st !== null && !st.isFile()) {
      throw new SeeqretError('E_USAGE', `${shown} exists and is not a regular file (a link, a folder, a device, …); inject replaces only regular files`, 'Write to another path, or - for stdout.');
    }
    if (!fs.existsSync(path.dirname(output))) throw new SeeqretError('E_FILE_NOT_FOUND', `the folder of ${shown} does not exist`, 'Create it first, or write to another place.');
  }
  const source = o.in === undefined || o.in === '-' ? '<stdin>' : o.in;
  const text = input === null ? decodeUtf8(await readStdin('template'), '<stdin>') : readTextFileCapped(input, 'template', o.in);
  const defaults = await runReferenceDefaults(cwd, o.env, io().env);
  const injected = await withVault(g, (v) => {
    const r = injectReferences(v, { text, source, defaults });
    v.auditReads(r.records, output === null ? `inject ${path.basename(source)} --stdout` : `inject ${path.basename(source)}`);
    return r;
  });
  if (output === null) {
    writeData(injected.text);
    return 0;
  }
  atomicWriteFile(output, injected.text);
  info(`Filled ${injected.placeholders} reference${injected.placeholders === 1 ? '' : 's'} (${injected.records.length} secret${injected.records.length === 1 ? '' : 's'}) from ${printable(source)} into ${printable(o.out ?? '')} (mode 0600)`);
  return 0;
}
