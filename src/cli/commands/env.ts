/**
 * `seeqret env`: write a .env file (0600) from env.template, each value in a form the program that
 * reads the file gives back exactly (`--dialect`, docs/formats.md#dotenv-dialects).
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../../errors.js';
import { DEFAULT_DIALECT, type Dialect, checkDialect, envFileMark, envFileTagInput, formatDotenvDialect, readEnvFileMark } from '../../formats/dialects.js';
import { parseEnvTemplate } from '../../formats/template.js';
import { atomicWriteFile, lstatIfExists, readFileCapped } from '../../util/fs.js';
import { gitIgnoreStatus } from '../../util/git.js';
import { printable } from '../../util/text.js';
import type { Vault } from '../../vault/vault.js';
import { readTemplateFile, resolveTemplate } from '../../vault/resolve.js';
import { type GlobalOptions, info, warn, withVault, writeData } from '../context.js';

/** Larger existing files are not read to check their mark (seeqret never writes one this big from a template). */
const MAX_CHECKED_BYTES = 64 * 1024 * 1024;

/** The dialect: `--dialect` › the template's `@dialect` › seeqret.yaml's `dialect:` › node. */
async function chooseDialect(option: string | undefined, templateDialect: Dialect | undefined): Promise<Dialect> {
  if (typeof option === 'string') return checkDialect(option, '--dialect');
  if (templateDialect !== undefined) return templateDialect;
  // Loaded only when needed: the project module brings the YAML parser.
  const { findProject } = await import('../../project/project.js');
  return findProject()?.config.dialect ?? DEFAULT_DIALECT;
}

/**
 * Refuse to replace `file` when it is a regular file that `seeqret env` (with this vault) did not
 * write, or that changed since: its first line is not a mark whose tag matches the rest. An empty
 * (or blank) file may be replaced. Symlinks, devices and other special files are left to the
 * atomic write — except that with `--follow-symlinks` the file a link points to is checked.
 */
function checkReplaceable(v: Vault, outFile: string, followSymlinks: boolean): void {
  let file = outFile;
  if (followSymlinks && lstatIfExists(file)?.isSymbolicLink()) {
    try {
      file = fs.realpathSync(file);
    } catch {
      return; // a link to nowhere: nothing to replace
    }
  }
  const st = lstatIfExists(file);
  if (st === null || !st.isFile()) return;
  const fix = 'Move what you changed into the vault or env.template, then pass --force to replace the file (or write elsewhere with --out FILE).';
  if (st.size > MAX_CHECKED_BYTES) throw new SeeqretError('E_EXISTS', `${printable(file)} exists and was not written by seeqret env`, fix);
  const bytes = readFileCapped(file, 'dotenv');
  if (/^[ \t\r\n]*$/.test(bytes.toString('latin1'))) return;
  const mark = readEnvFileMark(bytes.toString('latin1'));
  if (mark === null) throw new SeeqretError('E_EXISTS', `${printable(file)} exists and was not written by seeqret env`, fix);
  const tag = v.fileTag('env-file', envFileTagInput(mark.dialect, bytes.subarray(mark.bodyStart)));
  if (!tag.equals(mark.tag)) {
    throw new SeeqretError('E_EXISTS', `${printable(file)} changed since seeqret env wrote it (or another vault wrote it)`, fix);
  }
}

/** Options of `seeqret env`. */
export interface EnvOptions {
  /** `--template FILE`: template file (default env.template). */
  readonly template: string;
  /** `--out FILE`: output file (default .env). */
  readonly out: string;
  /** `--stdout`: print to stdout instead of writing a file. */
  readonly stdout?: boolean;
  /** `--dialect DIALECT`: the program that reads the file (node, python, compose, shell). */
  readonly dialect?: string;
  /** `--force`: replace the file even if seeqret env did not write it, or it changed. */
  readonly force?: boolean;
}

/** Resolve the template completely before writing anything. */
export async function env(g: GlobalOptions, o: EnvOptions): Promise<number> {
  const templateFile = o.template;
  const text = readTemplateFile(templateFile);
  const source = path.basename(templateFile);
  const dialect = await chooseDialect(o.dialect, parseEnvTemplate(text, source).dialect?.name);
  const outFile = o.out;
  if (!o.stdout && outFile === '-') throw new SeeqretError('E_USAGE', '--out - is not supported', 'Use --stdout to print the .env content.');
  return withVault(g, (v) => {
    if (!o.stdout && o.force !== true) checkReplaceable(v, outFile, g.followSymlinks === true);
    const { entries, warnings } = resolveTemplate(v, text, source);
    for (const w of warnings) warn(w);
    const body = Buffer.from(formatDotenvDialect(entries.map((e) => ({ key: e.name, value: e.value })), dialect), 'utf8');
    const content = Buffer.concat([Buffer.from(envFileMark(dialect, v.fileTag('env-file', envFileTagInput(dialect, body))), 'utf8'), body]);
    v.auditReads(entries.flatMap((e) => (e.secret ? [e.secret] : [])), o.stdout ? 'env --stdout' : 'env');
    if (o.stdout) {
      writeData(content);
      return 0;
    }
    atomicWriteFile(outFile, content);
    const n = entries.filter((e) => e.secret).length;
    info(`Created ${outFile} with ${n} secret${n === 1 ? '' : 's'} and ${entries.length - n} constant${entries.length - n === 1 ? '' : 's'} (mode 0600, dialect ${dialect})`);
    if (gitIgnoreStatus(outFile) === 'not-ignored') {
      warn(`${outFile} is inside a git work tree and git does not ignore it: add it to .gitignore so that its secrets are never committed`);
    }
    return 0;
  });
}
