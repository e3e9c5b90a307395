/**
 * Test helper: a bundle exported in-process, for tests whose subject is what happens to the
 * bundle afterwards (load, sync, removing the person who received it).
 */
import { parseFilter } from '../src/filter/index.js';
import type { Vault } from '../src/index.js';
import { prepareExport, recordExport } from '../src/sharing/export.js';
import { must } from './must.js';

/**
 * Export `filter` from `sender` to one `recipient` as `seeqret export` does (plan, then record who
 * received what) and return the bundle's text.
 */
export function sendBundle(sender: Vault, recipient: string, filter: string): string {
  const plan = prepareExport(sender, { to: [recipient], filters: [parseFilter(filter)], destination: 'files' });
  const item = must(plan.items[0]);
  recordExport(sender, plan, item);
  return item.text;
}
