/**
 * The use case behind `seeqret env`: turn env.template into the content of a .env file (a mark
 * line tagged by the vault, then the values in the reader's dialect), refuse to replace a file
 * seeqret env did not write, and write it atomically (0600). Typed inputs, no `process`.
 *
 * @module
 */
import fs from 'node:fs';
import { SeeqretError } from '../errors.js';
import { DEFAULT_DIALECT, type Dialect, checkDialect, envFileMark, envFileTagInput, formatDotenvDialect, readEnvFileMark } from '../formats/dialects.js';
import { parseEnvTemplate } from '../formats/template.js';
import { atomicWriteFile } from '../util/atomic-write.js';
import { lstatIfExists } from '../util/fs.js';
import { readFileCapped } from '../util/read-capped.js';
import { gitIgnoreStatus } from '../util/git.js';
import { printable } from '../util/text.js';
import type { Vault } from '../vault/vault.js';
import { resolveTemplate } from './resolve.js';

/** Larger existing files are not read to check their mark (seeqret never writes one this big from a template). */
const MAX_CHECKED_BYTES = 64 * 1024 * 1024;

/**
 * The dialect: the option › the template's `@dialect` › seeqret.yaml's `dialect:` (found from
 * `cwd`) › node.
 *
 * @throws SeeqretError `E_USAGE` for an unknown dialect name.
 */
export async function chooseDialect(option: string | undefined, templateText: string, source: string, cwd: string): Promise<Dialect> {
  const templateDialect = parseEnvTemplate(templateText, source).dialect?.name;
  if (typeof option === 'string') return checkDialect(option, '--dialect');
  if (templateDialect !== undefined) return templateDialect;
  // Loaded only when needed: the project module brings the YAML parser.
  const { findProject } = await import('../project/project.js');
  return findProject(cwd)?.config.dialect ?? DEFAULT_DIALECT;
}

/**
 * Refuse to replace `outFile` when it is a regular file that `seeqret env` (with this vault) did not
 * write, or that changed since: its first line is not a mark whose tag matches the rest. An empty
 * (or blank) file may be replaced. Symlinks, devices and other special files are left to the
 * atomic write — except that with `followSymlinks` the file a link points to is checked.
 *
 * @throws SeeqretError `E_EXISTS` when the file may not be replaced.
 */
export function checkEnvFileReplaceable(v: Vault, outFile: string, followSymlinks: boolean): void {
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

/** Input of {@link renderEnvFile}. */
export interface EnvFileInput {
  /** The template's text. */
  readonly templateText: string;
  /** The template's name in messages (its base name). */
  readonly source: string;
  /** The dialect to write values in. */
  readonly dialect: Dialect;
  /** The audit log's description of the read (`env` or `env --stdout`). */
  readonly auditLabel: string;
  /** Shows a warning (never holds a value). */
  readonly warn: (message: string) => void;
}

/** A rendered .env file. */
export interface EnvFile {
  /** The file's bytes: the mark line, then the values. */
  readonly content: Buffer;
  /** How many entries are secrets from the vault. */
  readonly secrets: number;
  /** How many entries are constants of the template. */
  readonly constants: number;
}

/** Resolve the template completely in an open vault, audit the reads, and render the file's content. */
export function renderEnvFile(v: Vault, input: EnvFileInput): EnvFile {
  const { entries, warnings } = resolveTemplate(v, input.templateText, input.source);
  for (const w of warnings) input.warn(w);
  const body = Buffer.from(formatDotenvDialect(entries.map((e) => ({ key: e.name, value: e.value })), input.dialect), 'utf8');
  const content = Buffer.concat([Buffer.from(envFileMark(input.dialect, v.fileTag('env-file', envFileTagInput(input.dialect, body))), 'utf8'), body]);
  v.auditReads(entries.flatMap((e) => (e.secret ? [e.secret] : [])), input.auditLabel);
  const secrets = entries.filter((e) => e.secret).length;
  return { content, secrets, constants: entries.length - secrets };
}

/** Write a rendered file atomically (0600) and say whether git would ignore it. */
export function writeEnvFile(outFile: string, file: EnvFile): ReturnType<typeof gitIgnoreStatus> {
  atomicWriteFile(outFile, file.content);
  return gitIgnoreStatus(outFile);
}
