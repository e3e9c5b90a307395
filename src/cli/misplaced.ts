/**
 * The hint for a command's option given before the command word (`seeqret --reveal list`): an
 * `E_USAGE` that says where the option goes. (A global option after the command is accepted by
 * the parser as it is.)
 *
 * @module
 */
import type { Command } from 'commander';
import { SeeqretError } from '../errors.js';

/** Does `cmd` itself declare the option spelled `flag` (`-f`, `--filter`)? */
const declares = (cmd: Command, flag: string): boolean => cmd.options.some((o) => o.long === flag || o.short === flag);

/**
 * An "unknown option" that is a command's option given before that command's word
 * (`seeqret --reveal list`): an `E_USAGE` saying where it goes. `undefined` for any other error.
 * (A global option given after the command is accepted as it is.) The whole tree, `tree()`, is built
 * only for an unknown option: every other error (and the version, which commander reports as one)
 * is answered without it.
 */
export function misplacedOption(tree: () => Command, e: unknown, args: readonly string[]): SeeqretError | undefined {
  const err = e as { code?: unknown; message?: unknown } | null;
  if (err?.code !== 'commander.unknownOption' || typeof err.message !== 'string') return undefined;
  const flag = /unknown option '([^'=]+)/.exec(err.message)?.[1];
  if (flag === undefined) return undefined;
  const program = tree();
  const end = args.indexOf('--');
  const head = end < 0 ? args : args.slice(0, end);
  // Walk the words: the command path, and where the option stands in it.
  let cmd = program;
  const path: string[] = [];
  let flagBefore: Command | undefined;
  for (let i = 0; i < head.length; i++) {
    const a = head[i];
    if (a === undefined) break;
    if (a.startsWith('-')) {
      if (a.split('=')[0] === flag && flagBefore === undefined) {
        flagBefore = cmd;
        // Its value, when it takes one (`--app x add key`): the next word if it is no command here.
        const v = head[i + 1];
        if (!a.includes('=') && v !== undefined && !v.startsWith('-') && !cmd.commands.some((c) => c.name() === v || c.aliases().includes(v))) i++;
        continue;
      }
      const o = [program, cmd].flatMap((c) => c.options).find((x) => x.long === a || x.short === a);
      if (o && (o.required || o.optional) && !a.includes('=')) i++;
      continue;
    }
    const next = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!next) break;
    cmd = next;
    path.push(next.name());
  }
  if (flagBefore === undefined || flagBefore === cmd) return undefined;
  // The first command after the place the option was given that declares it.
  let owner: Command | undefined;
  const owners: string[] = [];
  let c: Command = program;
  for (const w of path) {
    const next = c.commands.find((x) => x.name() === w);
    if (!next) break;
    c = next;
    owners.push(w);
    if (declares(c, flag) && owner === undefined) owner = c;
    if (owner) break;
  }
  if (!owner) return undefined;
  const where = `seeqret ${owners.join(' ')}`;
  return new SeeqretError('E_USAGE', `${flag} is an option of \`${where}\`, given before the command`, `Put it after the command: ${where} ${flag} …`);
}
