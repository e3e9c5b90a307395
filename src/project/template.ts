/**
 * Rendering a `{{ VAR }}` template with an environment's secrets (`seeqret template`).
 *
 * A placeholder names a variable of the environment by its own name or by its description's
 * `Export` name. Every name is checked before anything is decrypted: a name that is not a variable
 * of the environment, or a variable without a value, is an error that lists every such name (never
 * a value). Only the variables the template uses are decrypted.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { parsePlaceholders, placeholderNames, renderPlaceholders } from '../formats/placeholders.js';
import type { SecretRecord, Vault } from '../vault/vault.js';
import type { Project } from './project.js';
import { environmentVariables } from './variables.js';

/** The result of {@link renderEnvironmentTemplate}. */
export interface RenderedTemplate {
  /** The rendered text (it holds secrets). */
  readonly text: string;
  /** The secrets whose values it contains, each once (for the audit log). */
  readonly used: readonly SecretRecord[];
}

/**
 * Render `template` with the values of environment `env`.
 *
 * @param source - The template's name in messages.
 * @throws SeeqretError `E_TEMPLATE_SYNTAX` (see {@link parsePlaceholders}); `E_TEMPLATE_UNDEFINED`
 *   naming every placeholder that is not a variable of the environment or has no value.
 */
export function renderEnvironmentTemplate(vault: Vault, project: Project, env: string, template: string, source: string): RenderedTemplate {
  const segments = parsePlaceholders(template, source);
  vault.checkIntegrity(['secrets']);
  const names = placeholderNames(segments);
  // name (own or Export) -> record, or null for a described variable without a value
  const known = new Map<string, SecretRecord | null>();
  for (const s of environmentVariables(vault, project, env)) {
    known.set(s.variable, s.record ?? null);
    if (s.description?.export !== undefined && !known.has(s.description.export)) known.set(s.description.export, s.record ?? null);
  }
  const firstLine = new Map<string, number>();
  for (const seg of segments) if (seg.kind === 'var' && !firstLine.has(seg.name)) firstLine.set(seg.name, seg.line);
  const undefinedNames = names.filter((n) => !known.has(n));
  const unset = names.filter((n) => known.get(n) === null);
  if (undefinedNames.length || unset.length) {
    const where = (n: string): string => `${n} (line ${firstLine.get(n)})`;
    const parts = [
      ...(undefinedNames.length ? [`not a variable of environment ${env}: ${undefinedNames.map(where).join(', ')}`] : []),
      ...(unset.length ? [`not set in environment ${env}: ${unset.map(where).join(', ')}`] : []),
    ];
    throw new SeeqretError(
      'E_TEMPLATE_UNDEFINED',
      `${source}: ${parts.join('; ')}`,
      unset.length ? `Set them (seeqret set NAME=VALUE, or generate), or fix the template.` : 'Describe them in secrets.d/ (or fix the names in the template).',
    );
  }
  const values = new Map<string, string>();
  const used = new Map<number, SecretRecord>();
  for (const n of names) {
    const r = known.get(n);
    if (!r) continue; // never: the unknown and unset names were refused above
    values.set(n, vault.reveal(r));
    used.set(r.id, r);
  }
  return { text: renderPlaceholders(segments, values), used: [...used.values()] };
}
