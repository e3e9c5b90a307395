/**
 * The relay command group (`seeqret relay …`) and the top-level `push` and `sync`
 * (docs/relay.md): only commander calls; each handler module is imported when its command runs.
 *
 * @module
 */
import type { Command } from 'commander';
import { run } from '../../action.js';
import type { InviteOptions, JoinOptions, PushOptions, SyncOptions } from './client.js';
import type { ServeOptions } from './serve.js';
import type { WatchOptions } from './watch.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
const clientCommands = () => import('./client.js');

/** Add `relay`, `push` and `sync` to `program`. */
export function registerRelay(program: Command): void {
  const relay = program.command('relay').description('End-to-end encrypted relay: a server that passes sealed bundles between members (docs/relay.md)');
  relay
    .command('serve')
    .description('Run a relay server (PostgreSQL with --database postgres://…, else a SQLite file)')
    .option('--database <url>', 'postgres://USER:PASS@HOST/DB, or a SQLite file (default ./seeqret-relay.db)')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:8787')
    .option('--max-body <bytes>', 'largest request accepted (default 1048576)')
    .option('--tls-cert <file>', 'serve https with this certificate chain (PEM); needs --tls-key')
    .option('--tls-key <file>', 'the private key (PEM) of --tls-cert')
    .action((o: ServeOptions, cmd: Command) => run(cmd, async (g) => (await import('./serve.js')).serve(g, [], o)));
  relay
    .command('create')
    .description('Create the space on an empty relay: you become its creator, who invites the others')
    .argument('<url>', 'the relay, e.g. https://relay.example.com')
    .option('--ca <file>', "a private CA (PEM) that signed the relay's https certificate (remembered)")
    .action((url: string, o: JoinOptions, cmd: Command) => run(cmd, async (g) => (await clientCommands()).create(g, [url], o)));
  relay
    .command('join')
    .description('Join a relay with a single-use invitation from its creator')
    .argument('<url>', 'the relay')
    .argument('<invitation>', 'the invitation text')
    .option('--ca <file>', "a private CA (PEM) that signed the relay's https certificate (remembered)")
    .action((url: string, invitation: string, o: JoinOptions, cmd: Command) => run(cmd, async (g) => (await clientCommands()).join(g, [url, invitation], o)));
  relay
    .command('members')
    .description("List the relay's members with fingerprints, checked against this vault's users")
    .action((_o, cmd: Command) => run(cmd, async (g) => (await clientCommands()).members(g)));
  relay
    .command('invite')
    .description("Invite a user of this vault (their key) to the relay (creator only); prints the invitation")
    .argument('<user>', 'the user name in this vault')
    .option('--days <n>', 'days the invitation is valid', '7')
    .action((user: string, o: InviteOptions, cmd: Command) => run(cmd, async (g) => (await clientCommands()).invite(g, [user], o)));
  relay
    .command('remove')
    .description('Remove a member from the relay (creator only): everything from or to them is refused')
    .argument('<user>', 'the member')
    .action((user: string, _o, cmd: Command) => run(cmd, async (g) => (await clientCommands()).remove(g, [user])));
  relay
    .command('reject')
    .description('Dispose of an envelope that sync refuses: acknowledged as rejected and audited, never loaded')
    .argument('<id>', 'the envelope id sync printed')
    .action((id: string, _o, cmd: Command) => run(cmd, async (g) => (await clientCommands()).reject(g, [id])));
  program
    .command('push')
    .description('Send secrets to people through the relay (an export bundle each, sealed to their key)')
    .option('--to <user>', 'recipient (repeatable; comma-separated; all)', collect)
    .option('-f, --filter <filter>', 'secrets to send (repeatable)', collect)
    .option('--updates', 'send every secret that changed since each person last received it, to everyone who holds it')
    .action((o: PushOptions, cmd: Command) => run(cmd, async (g) => (await clientCommands()).push(g, [], o)));
  program
    .command('watch')
    .description("Stay connected to the relay and load each envelope as it arrives, with sync's rules (servers; stop with SIGTERM)")
    .option('--overwrite', 'replace existing secrets that have another value')
    .option('--accept', 'accept the new names the envelopes bring (else they stay pending)')
    .option('--wait <seconds>', 'how long one request waits for news before asking again', '25')
    .action((o: WatchOptions, cmd: Command) => run(cmd, async (g) => (await import('./watch.js')).watch(g, [], o)));
  program
    .command('sync')
    .description("Load every envelope waiting on the relay with load's rules; each is acknowledged after its load")
    .option('--overwrite', 'replace existing secrets that have another value')
    .option('--accept', 'accept the new names the envelopes bring (else they stay pending)')
    .action((o: SyncOptions, cmd: Command) => run(cmd, async (g) => (await clientCommands()).sync(g, [], o)));
}
