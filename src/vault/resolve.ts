/**
 * Turning filters and env.template files into environment entries (name → value), shared by
 * `seeqret env`, `seeqret run` and `seeqret/config`.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { readFileCapped } from '../util/fs.js';
import { type Filter, parseFilter } from '../filter/index.js';
import { checkRequirement, parseEnvTemplate } from '../formats/template.js';
import { VERSION } from '../version.js';
import { type SecretRecord, type Vault, secretLabel } from './vault.js';

/**
 * Variables that change how programs load or run code. A secret with such a name is exported only
 * when env.template names it explicitly (`NODE_OPTIONS=app:env:NODE_OPTIONS`), never through a
 * filter: anyone who can send you a bundle could otherwise run code in your next `seeqret run`.
 */
const DANGEROUS = new Set([
  'PATH', 'NODE_OPTIONS', 'NODE_PATH', 'BASH_ENV', 'ENV', 'IFS', 'PS4', 'SHELLOPTS', 'BASHOPTS', 'PROMPT_COMMAND',
  'PERL5OPT', 'PERL5LIB', 'PERLLIB', 'RUBYOPT', 'RUBYLIB', 'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS', 'CLASSPATH',
  'GIT_SSH_COMMAND', 'GIT_EXEC_PATH', 'GIT_CONFIG_GLOBAL', 'GCONV_PATH', 'HOSTALIASES', 'LOCALDOMAIN', 'RES_OPTIONS',
  'EDITOR', 'VISUAL', 'PAGER', 'BROWSER', 'SSH_ASKPASS', 'SUDO_ASKPASS', 'HOME', 'TMPDIR', 'SHELL',
]);

/** True when exporting a variable named `name` could make programs run other code. */
export function isDangerousVariable(name: string): boolean {
  return DANGEROUS.has(name) || /^(LD_|DYLD_|PYTHON)/.test(name);
}

/** Throw E_BAD_VALUE when a filter match would be exported as a loader/interpreter variable. */
export function refuseDangerous(name: string, s: SecretRecord): void {
  if (isDangerousVariable(name)) {
    throw new SeeqretError(
      'E_BAD_VALUE',
      `${secretLabel(s)} would set ${name}, which changes how programs load or run code; it is not exported through a filter`,
      `If you really mean it, name it explicitly in env.template: ${name}=${secretLabel(s)}`,
    );
  }
}

/** One variable to export. `secret` is set when the value came from the vault. */
export interface EnvEntry {
  readonly name: string;
  readonly value: string;
  readonly secret?: SecretRecord;
  /** True when env.template named the variable itself (a constant or NAME=filter), not a filter match. */
  readonly explicit?: boolean;
}

/** Result of resolving a template: entries in template order plus non-fatal warnings. */
export interface Resolved {
  readonly entries: EnvEntry[];
  readonly warnings: string[];
}

/** Read an env.template file (E_FILE_NOT_FOUND with a hint when missing). */
export function readTemplateFile(file: string): string {
  try {
    return readFileCapped(file, 'template').toString('utf8');
  } catch (e) {
    if (e instanceof SeeqretError && e.code === 'E_TOO_LARGE') throw e;
    if (((e as SeeqretError).cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new SeeqretError('E_FILE_NOT_FOUND', `no env.template at ${file}`, 'Create it (see docs/commands/env.md), or name another file (--template FILE, or SEEQRET_TEMPLATE for seeqret/config).');
    }
    throw new SeeqretError('E_IO', `cannot read ${file}`, 'Check the file permissions.');
  }
}

/**
 * Resolve env.template text against the vault: constants as given, filter lines as every match
 * (named by its key), rename lines as exactly one match. A duplicate output name is an error,
 * naming both lines. Values are decrypted only after the whole template resolved without error.
 * Errors and warnings name the file, the line and at most a variable name, never the rest of a
 * line: a file that is not a template (SEEQRET_TEMPLATE or --template pointing at a .env, a key
 * file) must not have its content printed.
 */
export function resolveTemplate(vault: Vault, text: string, source = 'env.template'): Resolved {
  const tpl = parseEnvTemplate(text, source);
  const filterOn = (filter: string, line: number): Filter => {
    try {
      return parseFilter(filter);
    } catch (e) {
      if (!(e instanceof SeeqretError)) throw e;
      throw new SeeqretError('E_FILTER_SYNTAX', `${source}:${line}: not a filter (app:env:key), NAME=VALUE or NAME=app:env:key line`, e.fix);
    }
  };
  if (tpl.requirement) checkRequirement(tpl.requirement, VERSION);
  const warnings: string[] = [];
  const planned: Array<{ name: string; line: number; value?: string; secret?: SecretRecord; explicit: boolean }> = [];
  const seen = new Map<string, number>();
  const claim = (name: string, line: number): void => {
    const prev = seen.get(name);
    if (prev !== undefined) {
      throw new SeeqretError(
        'E_TEMPLATE_DUPLICATE',
        `${source}:${line}: ${name} is already produced by line ${prev}`,
        'Make the filters select disjoint keys, or rename one with NAME=app:env:key.',
      );
    }
    seen.set(name, line);
  };
  for (const l of tpl.lines) {
    if (l.kind === 'constant') {
      claim(l.name, l.line);
      planned.push({ name: l.name, line: l.line, value: l.value, explicit: true });
    } else if (l.kind === 'rename') {
      const matches = vault.find([filterOn(l.filter, l.line)]);
      if (matches.length === 0) {
        throw new SeeqretError('E_TEMPLATE_UNMATCHED', `${source}:${l.line}: the filter of ${l.name}= matches no secret`, 'Add the secret (seeqret add key) or fix the filter.');
      }
      if (matches.length > 1) {
        throw new SeeqretError(
          'E_AMBIGUOUS',
          `${source}:${l.line}: the filter of ${l.name}= matches ${matches.length} secrets: ${matches.slice(0, 10).map(secretLabel).join(', ')}`,
          'Make the filter name exactly one secret, e.g. myapp:dev:KEY.',
        );
      }
      claim(l.name, l.line);
      planned.push({ name: l.name, line: l.line, secret: matches[0]!, explicit: true });
    } else {
      const matches = vault.find([filterOn(l.filter, l.line)]);
      if (matches.length === 0) warnings.push(`${source}:${l.line}: the filter on this line matches no secret`);
      for (const m of matches) {
        refuseDangerous(m.key, m);
        claim(m.key, l.line);
        planned.push({ name: m.key, line: l.line, secret: m, explicit: false });
      }
    }
  }
  const entries = planned.map((p) =>
    p.secret ? { name: p.name, value: vault.reveal(p.secret), secret: p.secret, explicit: p.explicit } : { name: p.name, value: p.value ?? '', explicit: true },
  );
  return { entries, warnings };
}

/**
 * Resolve a union of filter strings into entries named by key (with an optional prefix).
 * Two matches with the same name are an error listing both.
 */
export function resolveFilters(vault: Vault, filters: readonly string[], prefix = ''): Resolved {
  const matches = vault.find(filters.map((f) => parseFilter(f)));
  const byName = new Map<string, SecretRecord>();
  for (const m of matches) {
    const name = prefix + m.key;
    refuseDangerous(name, m);
    const prev = byName.get(name);
    if (prev) {
      throw new SeeqretError('E_AMBIGUOUS', `both ${secretLabel(prev)} and ${secretLabel(m)} would be exported as ${name}`, 'Narrow the filter to one app and env, e.g. -f myapp:dev:.');
    }
    byName.set(name, m);
  }
  const warnings = matches.length === 0 ? [`filter ${filters.map((f) => `'${f}'`).join(', ')} matches no secret`] : [];
  return { entries: Array.from(byName, ([name, secret]) => ({ name, value: vault.reveal(secret), secret })), warnings };
}
