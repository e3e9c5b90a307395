/**
 * `seeqret importenv FILE`: import a dotenv file, all or nothing. The grammar: `--dialect`, else
 * the dialect named in the first line `seeqret env` writes, else seeqret's own dotenv grammar.
 *
 * @module
 */
import { SeeqretError } from '../../errors.js';
import { parseDotenvAs } from '../../formats/dialect-read.js';
import { type Dialect, checkDialect, readEnvFileMark } from '../../formats/dialects.js';
import { decodeUtf8, readFileCapped } from '../../util/fs.js';
import { type GlobalOptions, info, readStdin, warn, withVault } from '../context.js';
import { commandLine } from '../hints.js';

/** Parse the whole file first; any syntax error aborts before the vault is touched. */
export async function importenv(g: GlobalOptions, args: unknown[], o: Record<string, unknown>): Promise<number> {
  const file = args[0] as string;
  const bytes = file === '-' ? await readStdin('dotenv') : readFileCapped(file, 'dotenv');
  const source = file === '-' ? '<stdin>' : file;
  const text = decodeUtf8(bytes, source);
  const marked = readEnvFileMark(text)?.dialect;
  let dialect: Dialect | undefined = marked;
  if (typeof o['dialect'] === 'string') {
    dialect = checkDialect(o['dialect'], '--dialect');
    if (marked !== undefined && marked !== dialect) {
      throw new SeeqretError('E_USAGE', `${source} was written by seeqret env for the ${marked} dialect; reading it as ${dialect} would change values`, `Leave out --dialect, or pass --dialect ${marked}.`);
    }
  }
  const entries = parseDotenvAs(text, dialect, source);
  const last = new Map<string, { value: string; line: number }>();
  for (const e of entries) {
    const prev = last.get(e.key);
    if (prev) warn(`${source}:${e.line}: ${e.key} repeats line ${prev.line}; the later value wins`);
    last.set(e.key, { value: e.value, line: e.line });
  }
  const app = o['app'] as string;
  const env = o['env'] as string;
  const dryRun = o['dryRun'] === true;
  return withVault(g, (v) => {
    const s = v.setMany(
      Array.from(last, ([key, { value }]) => ({ app, env, key, value })),
      { update: o['update'] === true, dryRun },
    );
    if (dryRun) for (const x of s.outcomes) if (x.outcome !== 'unchanged') info(`  would be ${x.outcome}: ${x.app}:${x.env}:${x.key}`);
    info(`${s.added} added, ${s.updated} updated, ${s.skipped} skipped, ${s.unchanged} unchanged${dryRun ? ' (dry run: nothing written)' : ''}`);
    if (s.skipped > 0 && !dryRun) {
      const cmd = commandLine(g, 'importenv', file, '--app', app, '--env', env, '--update');
      info(`Skipped secrets exist with another value; to replace them (yours go to history), run ${file === '-' ? `the same input piped into \`${cmd}\`` : `\`${cmd}\``}.`);
    }
    // `KEY=` in a file is stated on purpose, so it is imported as an empty value, but never silently.
    const empty = s.outcomes.filter((x) => (x.outcome === 'added' || x.outcome === 'updated') && last.get(x.key)?.value === '').map((x) => x.key);
    if (empty.length) info(`${empty.length} empty value${empty.length === 1 ? '' : 's'} (KEY= in ${source}) ${dryRun ? 'would be' : 'were'} stored as empty: ${empty.slice(0, 10).join(', ')}${empty.length > 10 ? ', …' : ''}`);
    return 0;
  });
}
