/**
 * The use case of `seeqret edit -f FILTER`: the matched secrets to text, the text through the
 * editor (injected), the changes back as one transaction — added, changed, removed — after a
 * summary and, for removals, a confirmation.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import type { Filter } from '../filter/index.js';
import { type SecretRecord, Vault } from '../vault/vault.js';
import { type EditDiff, type EditEntry, diffEdit, entryName, parseEdit, renderEdit } from './format.js';

/** What the edit needs from its caller. */
export interface EditIo {
  /** Show `text` in the editor and return it as saved (the caller owns the scratch file). */
  readonly edit: (text: string) => Promise<string>;
  readonly confirm: (question: string) => Promise<boolean>;
  readonly info: (line: string) => void;
}

/** What an edit did. */
export type EditResult = { readonly kind: 'unchanged' } | { readonly kind: 'declined'; readonly diff: EditDiff } | { readonly kind: 'applied'; readonly diff: EditDiff };

function versions(rs: readonly SecretRecord[]): string {
  return rs.map((r) => `${entryName(r)}@${String(r.version)}`).join('\n');
}

/** Print what will change (names only, never values). */
function summarize(diff: EditDiff, info: (line: string) => void): void {
  const n = (k: number, what: string): string => `${String(k)} ${what}`;
  info(`${n(diff.added.length, 'to add')}, ${n(diff.changed.length, 'to change')}, ${n(diff.removed.length, 'to remove')}:`);
  for (const e of diff.added) info(`  + ${entryName(e)}`);
  for (const e of diff.changed) info(`  ~ ${entryName(e)}`);
  for (const name of diff.removed) info(`  - ${name}`);
}

/** Edit the secrets `filter` matches in `v`; `yes` skips the question for removals. */
export async function editSecrets(v: Vault, filter: Filter, yes: boolean, io: EditIo): Promise<EditResult> {
  const matches = v.find([filter]);
  const before: EditEntry[] = matches.map((r) => ({ app: r.app, env: r.env, key: r.key, value: v.reveal(r) }));
  v.auditReads(matches, 'edit');
  const text = renderEdit(before, filter.text);
  const saved = await io.edit(text);
  if (saved === text) return { kind: 'unchanged' };
  const after = parseEdit(saved, 'the edited file');
  const diff = diffEdit(before, after);
  if (diff.added.length + diff.changed.length + diff.removed.length === 0) return { kind: 'unchanged' };
  Vault.validate([...diff.added, ...diff.changed]); // refuse bad names and values before asking anything
  summarize(diff, io.info);
  if (diff.removed.length > 0 && !yes && !(await io.confirm(`Remove ${String(diff.removed.length)} secret${diff.removed.length === 1 ? '' : 's'}?`))) {
    return { kind: 'declined', diff };
  }
  const types = new Map(matches.map((r) => [entryName(r), r.type]));
  v.atomically(
    () => {
      // Someone else may have changed these secrets while the editor was open: then nothing is written.
      const now = v.find([filter]);
      if (versions(now) !== versions(matches)) {
        throw new SeeqretError('E_FILE_CHANGED', `the secrets '${filter.text}' matches changed while you edited them; nothing was written`, 'Run `seeqret edit` again.');
      }
      const gone = new Set(diff.removed);
      v.setMany([...diff.added, ...diff.changed].map((e) => ({ ...e, type: types.get(entryName(e)) ?? 'str' })), { update: true });
      v.remove(now.filter((r) => gone.has(entryName(r))));
    },
    { summary: { action: 'secret.update', target: `edit -f ${filter.text}` } },
  );
  return { kind: 'applied', diff };
}
