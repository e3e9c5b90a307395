/**
 * `seeqret run -- CMD ARGS...`: run a program (without a shell) with secrets in its environment,
 * forward signals to it, and exit with its exit status.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SeeqretError } from '../../errors.js';
import { readTemplateFile, refuseDangerous, resolveFilters, resolveTemplate } from '../../vault/resolve.js';
import { type GlobalOptions, warn, withVault } from '../context.js';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

/** Exit code for a command that cannot be found (as shells use). */
export const EXIT_COMMAND_NOT_FOUND = 127;
/** Exit code for a command that exists but cannot be executed. */
export const EXIT_COMMAND_NOT_EXECUTABLE = 126;

export async function run(g: GlobalOptions, args: unknown[], o: Record<string, unknown>): Promise<number> {
  const [cmd, ...cmdArgs] = args[0] as string[];
  if (!cmd) throw new SeeqretError('E_USAGE', 'no command given', 'Write the command after --, e.g. seeqret run -- node app.js');
  const filters = (o['filter'] as string[] | undefined) ?? [];
  const prefix = (o['prefix'] as string | undefined) ?? '';
  const templateFile = o['template'] as string;
  if (filters.length === 0 && !fs.existsSync(templateFile)) {
    throw new SeeqretError('E_USAGE', `no -f FILTER given and no ${templateFile} here`, 'Pass -f app:env:key (repeatable) or create an env.template.');
  }
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  await withVault(
    g,
    (v) => {
      const resolved = filters.length ? resolveFilters(v, filters, prefix) : resolveTemplate(v, readTemplateFile(templateFile), path.basename(templateFile));
      for (const w of resolved.warnings) warn(w);
      v.auditReads(resolved.entries.flatMap((e) => (e.secret ? [e.secret] : [])), `run ${cmd}`);
      for (const e of resolved.entries) {
        if (e.value.includes('\0')) throw new SeeqretError('E_BAD_VALUE', `${e.name} contains a NUL character, which an environment variable cannot hold`, 'Store it base64-encoded.');
        const name = filters.length ? e.name : prefix + e.name;
        if (!filters.length && e.secret && !e.explicit) refuseDangerous(name, e.secret); // the prefix can make a name dangerous
        childEnv[name] = e.value;
      }
    },
  );
  return new Promise<number>((resolve) => {
    const child = spawn(cmd, cmdArgs, { stdio: 'inherit', env: childEnv, shell: false });
    const handlers = new Map<NodeJS.Signals, () => void>();
    for (const sig of FORWARDED) {
      const h = (): void => {
        child.kill(sig);
      };
      handlers.set(sig, h);
      process.on(sig, h);
    }
    const cleanup = (): void => {
      for (const [sig, h] of handlers) process.off(sig, h);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      if (err.code === 'ENOENT') {
        process.stderr.write(`seeqret: E_NOT_FOUND: command not found: ${cmd}. Fix: check the spelling and PATH.\n`);
        resolve(EXIT_COMMAND_NOT_FOUND);
      } else {
        process.stderr.write(`seeqret: E_IO: cannot run ${cmd}: ${err.code ?? err.message}. Fix: check that it is an executable file.\n`);
        resolve(EXIT_COMMAND_NOT_EXECUTABLE);
      }
    });
    child.on('exit', (code, signal) => {
      cleanup();
      if (signal) {
        // Die the same way the child did, so callers see the real cause.
        process.kill(process.pid, signal);
        resolve(128 + (os.constants.signals[signal] ?? 0));
      } else {
        resolve(code ?? 0);
      }
    });
  });
}
