/**
 * The transfer formats `export -s` writes and `load` reads.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';

/** Each transfer format with what it protects. */
export const SERIALIZERS = {
  bundle: 'seeqret bundle (default): sender-authenticated, all metadata authenticated, bound to the recipient, replay-checked',
  'json-crypt': "the old seeqret tool's JSON format (values in NaCl boxes; names and types NOT authenticated)",
  command: "the old seeqret tool's `seeqret load ...` command lines, one per secret, for pasting into a terminal",
} as const;

/** The name of a transfer format. */
export type Serializer = keyof typeof SERIALIZERS;

/** `name` as a {@link Serializer} (`bundle` when undefined); `E_USAGE` for an unknown one. */
export function serializerOf(name: string | undefined): Serializer {
  const s = name ?? 'bundle';
  if (!Object.hasOwn(SERIALIZERS, s)) throw new SeeqretError('E_USAGE', `unknown serializer '${s}'`, `Use one of: ${Object.keys(SERIALIZERS).join(', ')} (seeqret serializers).`);
  return s as Serializer;
}
