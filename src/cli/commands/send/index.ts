/**
 * The `send` command's tree (docs/commands/send.md): secrets e-mailed encrypted with OpenPGP.
 * Only commander calls; the handler (and the SMTP and OpenPGP code) is imported when it runs.
 *
 * @module
 */
import type { Command } from 'commander';
import { run } from '../../action.js';
import { collect } from '../../options.js';
import type { SendOptions } from './send.js';

/** Add `send` to `program`. */
export function registerSend(program: Command): void {
  program
    .command('send')
    .description("E-mail secrets encrypted with OpenPGP to each recipient's key, through an SMTP server")
    .argument('<vars...>', 'variables of the project environment (own or Export name), or app:env:key filters')
    .option('--to <recipient>', 'e-mail address or name of a stored PGP key (repeatable, or comma-separated)', collect)
    .option('-e, --env <env>', 'project environment (default: SEEQRET_ENV, the checkout default, seeqret.yaml)')
    .option('--smtp-host <host>', 'SMTP server', 'localhost')
    .option('--smtp-port <port>', 'SMTP port (default 465 with --tls, 587 with --starttls, else 25)')
    .option('--tls', 'implicit TLS (SMTPS)')
    .option('--starttls', 'require STARTTLS')
    .option('--smtp-ca <file>', "PEM certificate(s) to trust for the server's certificate")
    .option('--smtp-user-secret <filter>', 'secret holding the SMTP user name (default SMTP_USERNAME)')
    .option('--smtp-password-secret <filter>', 'secret holding the SMTP password (default SMTP_PASSWORD)')
    .option('--from <address>', "sender address (default: the vault owner's e-mail)")
    .option('--subject <text>', 'subject line (not encrypted)')
    .action((vars: string[], o: SendOptions, cmd: Command) => run(cmd, async (g) => (await import('./send.js')).send(g, vars, o)));
}
