/**
 * `seeqret audit`: the append-only, hash-chained audit log.
 *
 * @module
 */
import { SeeqretError } from '../../errors.js';
import { type Column, isoTime, parseFormat, render } from '../../formats/output.js';
import type { AuditAction } from '../../vault/audit.js';
import { type GlobalOptions, info, withVault } from '../context.js';

/** Parse `--since`: an ISO date/time or a duration like `7d`, `12h`, `30m`. */
export function parseSince(text: string, now = Date.now()): number {
  const d = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  if (d) return now - Number(d[1]) * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[d[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new SeeqretError('E_USAGE', `--since '${text}' is neither a date nor a duration`, 'Use e.g. --since 2026-01-31, --since 7d or --since 12h.');
  return t;
}

export async function audit(g: GlobalOptions, _a: unknown[], o: Record<string, unknown>): Promise<number> {
  const format = parseFormat(o['format'] as string | undefined);
  if (format === 'env' || format === 'shell') throw new SeeqretError('E_USAGE', `--format ${format} does not fit the audit log`, 'Use table, json, yaml or csv.');
  return withVault(
    g,
    async (v) => {
      if (o['verify']) {
        const r = v.verifyAudit();
        if (r.problem !== null) throw new SeeqretError('E_TAMPERED', r.problem, 'Restore the vault from a backup to recover the original log; `seeqret doctor` lists every change.');
        info(`The audit log's ${r.entries} entries are intact (hash chain verified).`);
        return 0;
      }
      const entries = v.auditLog({
        ...(o['since'] ? { since: parseSince(o['since'] as string) } : {}),
        ...(o['user'] ? { user: o['user'] as string } : {}),
        ...(o['action'] ? { action: o['action'] as AuditAction } : {}),
      });
      const rows = entries.map((e) => ({ id: e.id, time: isoTime(e.at), actor: e.actor, action: e.action, target: e.target ?? '', detail: e.detail ?? '' }));
      const columns: Column[] = ['id', 'time', 'actor', 'action', 'target', 'detail'].map((k) => ({ key: k, header: k }));
      process.stdout.write(await render(rows, columns, format));
      return 0;
    },
    { readonly: true },
  );
}
