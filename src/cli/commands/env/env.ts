/**
 * `seeqret env`: write a .env file (0600) from env.template, each value in a form the program that
 * reads the file gives back exactly (`--dialect`, docs/formats.md#dotenv-dialects). The use case is
 * in src/inject/env-file.ts; this handler reads the options and reports.
 *
 * @module
 */
import path from 'node:path';
import { SeeqretError } from '../../../errors.js';
import { checkEnvFileReplaceable, chooseDialect, renderEnvFile, writeEnvFile } from '../../../inject/env-file.js';
import { readTemplateFile } from '../../../inject/resolve.js';
import { type GlobalOptions, info, warn, withVault, writeData } from '../../context.js';
import { io } from '../../cli-io.js';

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
  const dialect = await chooseDialect(o.dialect, text, source, io().cwd);
  const outFile = o.out;
  if (!o.stdout && outFile === '-') throw new SeeqretError('E_USAGE', '--out - is not supported', 'Use --stdout to print the .env content.');
  return withVault(g, (v) => {
    if (!o.stdout && o.force !== true) checkEnvFileReplaceable(v, outFile, g.followSymlinks === true);
    const file = renderEnvFile(v, { templateText: text, source, dialect, auditLabel: o.stdout ? 'env --stdout' : 'env', warn });
    if (o.stdout) {
      writeData(file.content);
      return 0;
    }
    const ignored = writeEnvFile(outFile, file);
    const { secrets: n, constants: c } = file;
    info(`Created ${outFile} with ${n} secret${n === 1 ? '' : 's'} and ${c} constant${c === 1 ? '' : 's'} (mode 0600, dialect ${dialect})`);
    if (ignored === 'not-ignored') {
      warn(`${outFile} is inside a git work tree and git does not ignore it: add it to .gitignore so that its secrets are never committed`);
    }
    return 0;
  });
}
