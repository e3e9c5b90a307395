/**
 * `seeqret template SRC DEST|- [-e ENV]`: render `{{ VAR }}` placeholders with the environment's
 * secrets; DEST is written atomically with mode 0600 (nothing is written on any error).
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../../../errors.js';
import { requireProject, resolveEnvironment } from '../../../project/project.js';
import { renderEnvironmentTemplate } from '../../../project/template.js';
import { atomicWriteFile } from '../../../util/atomic-write.js';
import { sameFile } from '../../../util/fs.js';
import { readTextFileCapped } from '../../../util/read-capped.js';
import { type GlobalOptions, info, withVault, writeData } from '../../context.js';
import { io } from '../../cli-io.js';

/** Options of `seeqret template`. */
export interface TemplateOptions {
  /** `-e/--env ENV`: the project environment. */
  readonly env?: string;
}

export async function template(g: GlobalOptions, src: string, dest: string, o: TemplateOptions): Promise<number> {
  if (dest !== '-' && sameFile(src, dest)) {
    throw new SeeqretError('E_USAGE', `the output ${dest} is the template itself`, 'Write the result to another file (or - for stdout).');
  }
  const project = requireProject(io().cwd);
  const env = resolveEnvironment(project, o.env, io().env).name;
  const text = readTextFileCapped(src, 'template');
  const destDir = dest === '-' ? null : path.dirname(path.resolve(dest));
  if (destDir !== null && !fs.existsSync(destDir)) {
    throw new SeeqretError('E_FILE_NOT_FOUND', `the folder of ${dest} does not exist`, 'Create it first, or write to another place.');
  }
  const rendered = await withVault(g, (v) => {
    const r = renderEnvironmentTemplate(v, project, env, text, path.basename(src));
    v.auditReads(r.used, dest === '-' ? `template ${path.basename(src)} --stdout` : `template ${path.basename(src)}`);
    return r;
  });
  if (dest === '-') {
    writeData(rendered.text);
    return 0;
  }
  atomicWriteFile(dest, rendered.text);
  info(`Rendered ${src} to ${dest} with ${rendered.used.length} secret${rendered.used.length === 1 ? '' : 's'} of ${project.app}:${env} (mode 0600)`);
  return 0;
}
