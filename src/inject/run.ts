/**
 * The use case behind `seeqret run`: choose which secrets a child gets (filters, a template, the
 * project's environment or `./env.template`) and build the child's environment from the vault.
 * Typed inputs, no `process`: the caller passes the working folder and its own environment, and
 * starts the child ({@link runChild} of ./child.ts).
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../errors.js';
import { printable } from '../util/text.js';
import type { Vault } from '../vault/vault.js';
import { parseDotenv } from '../formats/dotenv.js';
import { readFileCapped, decodeUtf8 } from '../util/read-capped.js';
import { childEnvironment } from './child-env.js';
import { type DefaultsSource, environmentReferences, noDefaults, resolveReferences, substituteReferences } from './references.js';
import { type Resolved, readTemplateFile, refuseDangerous, resolveFilters, resolveTemplate } from './resolve.js';

/** The umask given to the child unless `--umask` says otherwise (psec's default). */
export const DEFAULT_UMASK = 0o077;
/** The template used when no filter, template or project says otherwise. */
export const DEFAULT_TEMPLATE = 'env.template';

/**
 * Parse a `--umask` value: octal written with `0o` (as psec requires), from `0o0` to `0o777`.
 *
 * @throws SeeqretError `E_USAGE` for anything else (`077`, `0x1ff`, `0o1000`, `63`).
 */
export function parseUmask(text: string): number {
  const m = /^0o([0-7]+)$/.exec(text);
  const value = m ? parseInt(m[1] ?? '', 8) : NaN;
  if (!m || value > 0o777) {
    throw new SeeqretError('E_USAGE', `--umask ${JSON.stringify(printable(text.slice(0, 40)))} is not an octal mode written with 0o, from 0o000 to 0o777`, 'Write it like 0o077 (the default) or 0o022.');
  }
  return value;
}

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

/** Which secrets a child gets. */
export interface RunSelectionInput {
  /** `-f FILTER`s (first choice when not empty). */
  readonly filters: readonly string[];
  /** `--template FILE` (relative to `cwd`). */
  readonly template?: string | undefined;
  /** `-e ENV`: a project environment (cannot be combined with filters or a template). */
  readonly env?: string | undefined;
  /** Prefix for every exported name. */
  readonly prefix: string;
  /** The folder the command runs in (where the project or `env.template` is looked for). */
  readonly cwd: string;
  /** The caller's environment (`SEEQRET_ENV` and the like choose the project environment). */
  readonly environment: NodeJS.ProcessEnv;
  /** `--env-file FILE`s: with none of -f, --template and -e, they are the whole selection. */
  readonly envFiles?: readonly string[];
}

/** Reads the chosen entries from an open vault. */
export type RunSelector = (v: Vault) => Resolved;

/**
 * Choose what to export: filters › explicit template › the project's environment › ./env.template.
 * Reads the template (or the project file) now, so a usage error comes before the vault is opened.
 *
 * @throws SeeqretError `E_USAGE` (conflicting options, no template), `E_NO_PROJECT` (`-e` outside a project).
 */
export async function selectRunEntries(input: RunSelectionInput): Promise<RunSelector> {
  const { filters, prefix, cwd } = input;
  const explicitTemplate = input.template;
  const envOption = input.env;
  if (envOption !== undefined && (filters.length > 0 || explicitTemplate !== undefined)) {
    throw new SeeqretError('E_USAGE', `-e/--env selects a project environment; it cannot be combined with ${filters.length ? '-f' : '--template'}`, 'Use either -e ENV (inside a project) or -f FILTER / --template FILE.');
  }
  if (filters.length > 0) return (v) => resolveFilters(v, [...filters], prefix);
  if ((input.envFiles?.length ?? 0) > 0 && explicitTemplate === undefined && envOption === undefined) return () => ({ entries: [], warnings: [] });
  const projectModule = explicitTemplate === undefined && projectFileAbove(cwd) ? await import('../project/project.js') : null;
  const project = projectModule ? projectModule.findProject(cwd) : null;
  if (projectModule && project) {
    const env = projectModule.resolveEnvironment(project, envOption, input.environment).name;
    const { environmentEntries } = await import('../project/variables.js');
    return (v) => {
      const r = environmentEntries(v, project, env, { prefix });
      // A mistyped -e would otherwise run the command without its secrets, silently.
      if (r.entries.length > 0 || projectModule.environmentExists(project, env)) return r;
      return { ...r, warnings: [...r.warnings, `environment ${env} does not exist (no descriptions folder, no values): the command runs without its secrets`] };
    };
  }
  if (envOption !== undefined) {
    throw new SeeqretError('E_NO_PROJECT', `-e ${printable(envOption)} needs a project, and there is no seeqret.yaml in ${printable(cwd)} or above`, 'Run it inside your project, or pass -f FILTER instead.');
  }
  const templateFile = explicitTemplate ?? DEFAULT_TEMPLATE;
  const templatePath = path.resolve(cwd, templateFile);
  if (!fs.existsSync(templatePath)) {
    throw new SeeqretError('E_USAGE', `no -f FILTER given and no ${templateFile} here`, 'Pass -f app:env:key (repeatable), run inside a project (seeqret.yaml), or create an env.template.');
  }
  const text = readTemplateFile(templatePath);
  return (v) => {
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

/** One assignment of an `--env-file`: a plain value or a secret reference. */
export interface EnvFileValue {
  /** The variable's name. */
  readonly name: string;
  /** Its value as written. */
  readonly value: string;
  /** `FILE:LINE`, for messages. */
  readonly where: string;
}

/**
 * Read `--env-file`s (relative to `cwd`) in order, with seeqret's dotenv grammar.
 *
 * @throws SeeqretError `E_FILE_NOT_FOUND`, `E_IO`, `E_TOO_LARGE`, `E_DOTENV_SYNTAX`.
 */
export function readEnvFiles(cwd: string, files: readonly string[]): EnvFileValue[] {
  const values: EnvFileValue[] = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readFileCapped(path.resolve(cwd, file), 'dotenv');
    } catch (e) {
      if (e instanceof SeeqretError && ((e.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')) {
        throw new SeeqretError('E_FILE_NOT_FOUND', `no env file ${printable(file)}`, 'Check the --env-file path.');
      }
      throw e;
    }
    for (const entry of parseDotenv(decodeUtf8(bytes, file), file)) values.push({ name: entry.key, value: entry.value, where: `${file}:${entry.line}` });
  }
  return values;
}

/**
 * Where short references (`seeqret://KEY`) point: the project's app and its environment (`-e`,
 * `SEEQRET_ENV`, the checkout default, seeqret.yaml). The project module is loaded only inside a project.
 */
export async function runReferenceDefaults(cwd: string, envOption: string | undefined, environment: NodeJS.ProcessEnv): Promise<DefaultsSource> {
  const none = noDefaults(`seeqret://KEY needs a project, and there is no seeqret.yaml in ${printable(cwd)} or above`);
  if (!projectFileAbove(cwd)) return none;
  const { findProject, resolveEnvironment } = await import('../project/project.js');
  const project = findProject(cwd);
  if (project === null) return none;
  return () => ({ app: project.app, env: resolveEnvironment(project, envOption, environment).name });
}

/** Input of {@link buildRunEnvironment}. */
export interface RunEnvironmentInput {
  /** The parent's environment; the child gets it without seeqret's credentials, plus the secrets. */
  readonly parentEnvironment: NodeJS.ProcessEnv;
  /** `--preserve-existing`: a variable already set (non-empty) in the parent's environment is kept. */
  readonly preserveExisting: boolean;
  /** The command's name, for the audit log (`run CMD`). */
  readonly command: string;
  /** Shows a warning (never holds a value); called before anything is refused. */
  readonly warn: (message: string) => void;
  /** The `--env-file` assignments, in order (a later one wins); set over the parent's environment. */
  readonly envFiles?: readonly EnvFileValue[];
  /** Where short references point (default: nowhere, so they are unresolved). */
  readonly referenceDefaults?: DefaultsSource;
}

/** The child's environment and what to report. */
export interface RunEnvironment {
  /** The environment to start the child with. */
  readonly env: NodeJS.ProcessEnv;
  /** The secret values exported (for `--mask`). */
  readonly secretValues: string[];
}

/**
 * Resolve the selected entries in an open vault, audit the reads, and build the child's environment.
 *
 * @throws SeeqretError `E_BAD_VALUE` when a value holds a NUL character; what the selector throws.
 */
export function buildRunEnvironment(v: Vault, select: RunSelector, input: RunEnvironmentInput): RunEnvironment {
  const parent = input.parentEnvironment;
  const merged: NodeJS.ProcessEnv = { ...parent };
  const fromFile = new Map<string, string>();
  for (const e of input.envFiles ?? []) {
    if (input.preserveExisting && (parent[e.name] ?? '') !== '') continue;
    merged[e.name] = e.value;
    fromFile.set(e.name, e.where);
  }
  // The child never sees seeqret's own credentials (the vault passphrase and the like).
  const env = childEnvironment(merged);
  const resolved = select(v);
  for (const w of resolved.warnings) input.warn(w);
  for (const e of resolved.entries) {
    if (e.value.includes('\0')) throw new SeeqretError('E_BAD_VALUE', `${e.name} contains a NUL character, which an environment variable cannot hold`, 'Store it base64-encoded.');
  }
  const exported = resolved.entries.filter((e) => !(input.preserveExisting && (parent[e.name] ?? '') !== ''));
  // References in the environment (inherited or from --env-file), except in variables a selected secret replaces.
  const replacedBySelection = new Set(exported.map((e) => e.name));
  const candidates = Object.fromEntries(Object.entries(env).filter(([name]) => !replacedBySelection.has(name)));
  const uses = environmentReferences(candidates, (name) => {
    const where = fromFile.get(name);
    return where === undefined ? `environment variable ${name}` : `${where} (${name})`;
  });
  const refs = resolveReferences(v, uses, input.referenceDefaults ?? noDefaults('seeqret://KEY needs a project'));
  const referenced = substituteReferences(env, refs.values);
  const read = new Map(exported.flatMap((e) => (e.secret ? [[e.secret.id, e.secret] as const] : [])));
  for (const r of refs.records) read.set(r.id, r);
  v.auditReads([...read.values()], `run ${input.command}`);
  const secretValues: string[] = [];
  for (const name of referenced) secretValues.push(env[name] ?? '');
  for (const e of exported) {
    env[e.name] = e.value;
    if (e.secret) secretValues.push(e.value);
  }
  return { env, secretValues };
}
