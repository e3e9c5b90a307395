/**
 * `seeqret run -- CMD ARGS...`: run a program (without a shell) with secrets in its environment,
 * forward signals to it, and exit with its exit status.
 *
 * Which secrets: `-f FILTER`s; else `--template FILE`; else, inside a project (`seeqret.yaml`),
 * the variables of its environment (`-e ENV`) under their own names and their Export names; else
 * `./env.template`. psec's options: `--prefix`, `--preserve-existing`, `--umask`, and `--mask`,
 * which replaces secret values in the child's output with `*****`.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../../errors.js';
import { maskableValues } from '../../util/mask.js';
import { printable } from '../../util/text.js';
import { type Resolved, readTemplateFile, refuseDangerous, resolveFilters, resolveTemplate } from '../../vault/resolve.js';
import type { Vault } from '../../vault/vault.js';
import { childEnvironment, runChild } from '../child.js';
import { type GlobalOptions, warn, withVault } from '../context.js';

/** The umask given to the child unless `--umask` says otherwise (psec's default). */
export const DEFAULT_UMASK = 0o077;
const DEFAULT_TEMPLATE = 'env.template';

/**
 * True when `start` or a folder above it holds a project file (`seeqret.yaml`, PROJECT_FILE of
 * src/project/project.ts). Checked without loading the project modules (and their YAML parser),
 * so a `run` outside a project starts as fast as before.
 */
function projectFileAbove(start: string): boolean {
  for (let dir = path.resolve(start); ; ) {
    try {
      if (fs.statSync(path.join(dir, 'seeqret.yaml')).isFile()) return true;
    } catch {
      /* not here */
    }
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

/**
 * Parse a `--umask` value: octal written with `0o` (as psec requires), from `0o0` to `0o777`.
 *
 * @throws SeeqretError `E_USAGE` for anything else (`077`, `0x1ff`, `0o1000`, `63`).
 */
export function parseUmask(text: string): number {
  const m = /^0o([0-7]+)$/.exec(text);
  const value = m ? parseInt(m[1]!, 8) : NaN;
  if (!m || value > 0o777) {
    throw new SeeqretError('E_USAGE', `--umask ${JSON.stringify(printable(text.slice(0, 40)))} is not an octal mode written with 0o, from 0o000 to 0o777`, 'Write it like 0o077 (the default) or 0o022.');
  }
  return value;
}

/** Options of `seeqret run`. */
export interface RunOptions {
  /** `-e/--env ENV`: the project environment. */
  readonly env?: string;
  /** `-f/--filter FILTER` (repeatable): secrets to export. */
  readonly filter?: string[];
  /** `--template FILE`: env.template to use when no -f is given. */
  readonly template?: string;
  /** `--prefix PREFIX`: prefix for variable names (default ''). */
  readonly prefix: string;
  /** `--preserve-existing`: keep variables already set (non-empty). */
  readonly preserveExisting?: boolean;
  /** `--umask MODE`: the child's umask, octal with 0o. */
  readonly umask?: string;
  /** `--mask`: replace secret values in the command's output with *****. */
  readonly mask?: boolean;
}

export async function run(g: GlobalOptions, command: string[], o: RunOptions): Promise<number> {
  const [cmd, ...cmdArgs] = command;
  if (!cmd) throw new SeeqretError('E_USAGE', 'no command given', 'Write the command after --, e.g. seeqret run -- node app.js');
  const filters = o.filter ?? [];
  const prefix = o.prefix ?? '';
  const explicitTemplate = o.template;
  const envOption = o.env;
  const preserve = o.preserveExisting === true;
  const mask = o.mask === true;
  const umask = o.umask === undefined ? DEFAULT_UMASK : parseUmask(o.umask);
  if (envOption !== undefined && (filters.length > 0 || explicitTemplate !== undefined)) {
    throw new SeeqretError('E_USAGE', `-e/--env selects a project environment; it cannot be combined with ${filters.length ? '-f' : '--template'}`, 'Use either -e ENV (inside a project) or -f FILTER / --template FILE.');
  }

  // What to export: filters › explicit template › the project's environment › ./env.template.
  let select: (v: Vault) => Resolved;
  if (filters.length > 0) {
    select = (v) => resolveFilters(v, filters, prefix);
  } else {
    const projectModule = explicitTemplate === undefined && projectFileAbove(process.cwd()) ? await import('../../project/project.js') : null;
    const project = projectModule ? projectModule.findProject() : null;
    if (projectModule && project) {
      const env = projectModule.resolveEnvironment(project, envOption).name;
      const { environmentEntries } = await import('../../project/variables.js');
      select = (v) => {
        const r = environmentEntries(v, project, env, { prefix });
        // A mistyped -e would otherwise run the command without its secrets, silently.
        if (r.entries.length > 0 || projectModule.environmentExists(project, env)) return r;
        return { ...r, warnings: [...r.warnings, `environment ${env} does not exist (no descriptions folder, no values): the command runs without its secrets`] };
      };
    } else {
      if (envOption !== undefined) {
        throw new SeeqretError('E_NO_PROJECT', `-e ${printable(envOption)} needs a project, and there is no seeqret.yaml in ${printable(process.cwd())} or above`, 'Run it inside your project, or pass -f FILTER instead.');
      }
      const templateFile = explicitTemplate ?? DEFAULT_TEMPLATE;
      if (!fs.existsSync(templateFile)) {
        throw new SeeqretError('E_USAGE', `no -f FILTER given and no ${templateFile} here`, 'Pass -f app:env:key (repeatable), run inside a project (seeqret.yaml), or create an env.template.');
      }
      const text = readTemplateFile(templateFile);
      select = (v) => {
        const r = resolveTemplate(v, text, path.basename(templateFile));
        // The prefix applies to every name the template produces; it can make a filter match dangerous.
        const entries = r.entries.map((e) => {
          const name = prefix + e.name;
          if (e.secret && !e.explicit) refuseDangerous(name, e.secret);
          return { ...e, name };
        });
        return { entries, warnings: r.warnings };
      };
    }
  }

  // The child never sees seeqret's own credentials (the vault passphrase and the like).
  const childEnv = childEnvironment(process.env);
  const masked: string[] = [];
  await withVault(g, (v) => {
    const resolved = select(v);
    for (const w of resolved.warnings) warn(w);
    for (const e of resolved.entries) {
      if (e.value.includes('\0')) throw new SeeqretError('E_BAD_VALUE', `${e.name} contains a NUL character, which an environment variable cannot hold`, 'Store it base64-encoded.');
    }
    // --preserve-existing: a variable already set (non-empty) in seeqret's environment is kept.
    const exported = resolved.entries.filter((e) => !(preserve && (process.env[e.name] ?? '') !== ''));
    const read = new Map(exported.flatMap((e) => (e.secret ? [[e.secret.id, e.secret] as const] : [])));
    v.auditReads([...read.values()], `run ${cmd}`);
    for (const e of exported) {
      childEnv[e.name] = e.value;
      if (e.secret) masked.push(e.value);
    }
  });

  process.umask(umask); // inherited by the child
  return runChild(cmd, cmdArgs, childEnv, mask ? maskableValues(masked) : null);
}

