/**
 * The size limits of everything seeqret reads whole from a file, stdin or a pipe: one table, so
 * that every reader refuses an oversized input the same way (`E_TOO_LARGE`, before reading it) and
 * docs/formats.md#limits can list them all. The readers themselves are in `util/read-capped.ts`
 * (`readFileCapped`, `readTextFileCapped`, `readStreamCapped`).
 *
 * Each cap is far above real use (a 1,000,000-line `.env`, a bundle or backup of 1,000,000
 * secrets) but bounded, so a wrong file, a device or an endless pipe fails at once instead of
 * filling the memory.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** One kind of input: its cap in bytes, how a message names it, and what to do about it. */
export interface Limit {
  readonly bytes: number;
  /** "a .env file": the kind, for messages ("… the 256 MiB limit for a .env file"). */
  readonly what: string;
  /** The `fix` of the `E_TOO_LARGE` error. */
  readonly fix: string;
}

const CHECK = 'Check that this is the right file';

/**
 * The caps, by kind of input (docs/formats.md#limits lists them with the reasons).
 *
 * Text inputs stay at or below 512 MiB: JavaScript strings cannot be longer, so larger text could
 * not be parsed anyway.
 */
export const LIMITS = {
  /** `importenv FILE` / `importenv -` (a 1,000,000-line file is about 50 MB). */
  dotenv: { bytes: 256 * MiB, what: 'a .env file', fix: `${CHECK}; split it into several files and import each` },
  /** `load` (file and stdin) and `inbox`: bundles and the old tool's exports (1,000,000 secrets: about 210 MB). */
  bundle: { bytes: 512 * MiB, what: 'a bundle or export', fix: `${CHECK}; ask the sender to export fewer secrets per file (narrower -f filters)` },
  /** `restore`: age (binary or armored) and HTML backups; the largest backup seeqret writes is about 512 MiB of JSON, 683 MiB armored. */
  backup: { bytes: 768 * MiB, what: 'a backup', fix: `${CHECK} (the file \`seeqret backup\` wrote)` },
  /** The team file, `protected.yaml`, and the team commands' other input files of that format. */
  teamFile: { bytes: 256 * MiB, what: 'a team file', fix: `${CHECK} (the protected.yaml of your team)` },
  /** A SecureStore vault, `secrets.json`. */
  securestore: { bytes: 256 * MiB, what: 'a SecureStore vault', fix: `${CHECK} (the secrets.json SecureStore wrote)` },
  /** A psec environment's values, `secrets.json` (`import-psec`). */
  psecValues: { bytes: 256 * MiB, what: "a psec environment's secrets.json", fix: `${CHECK} (the secrets.json of a psec environment)` },
  /** Description (group) files in `secrets.d/` (projects, `import-psec`, `environments create --clone-from`). */
  descriptions: { bytes: 64 * MiB, what: 'a description file', fix: `${CHECK}; split the descriptions into several group files` },
  /** `env.template` and the SRC of `template`. */
  template: { bytes: 16 * MiB, what: 'a template', fix: `${CHECK}; a template holds names and filters, not data` },
  /** `seeqret.yaml` and `.seeqret-environment`. */
  project: { bytes: 1 * MiB, what: 'a project file', fix: `${CHECK} (seeqret.yaml of your project)` },
  /** Small settings files seeqret keeps or restores: `team-signers.json`, a `.gitignore` it edits. */
  settings: { bytes: 16 * MiB, what: 'a settings file', fix: CHECK },
  /** One secret value: `set VAR=@FILE`/`@-`, `--from-file`, a value on stdin (`add key`, `add text`, `edit value`, `ss set`, `team`). */
  value: { bytes: 16 * MiB, what: 'a secret value', fix: `${CHECK}; store a large file elsewhere and keep its key or path as the secret` },
  /** Key files: `vault.key`, SecureStore key files, the old vault's `private.key`/`public.key`/`seeqret.key`. */
  keyFile: { bytes: 1 * MiB, what: 'a key file', fix: `${CHECK}: a key file holds one key` },
  /** Passphrase and password files (`--passphrase-file`, `--backup-passphrase-file`, `--password-file`, `--team-passphrase-file`). */
  passphrase: { bytes: 1 * MiB, what: 'a passphrase file', fix: `${CHECK}: a passphrase file holds one line` },
  /** `add user --pgp-key FILE` (a key with many signatures is well under 1 MiB). */
  pgpKey: { bytes: 4 * MiB, what: 'an OpenPGP key file', fix: `${CHECK}; export the key without third-party signatures (gpg --export --export-options export-minimal)` },
  /** `send --smtp-ca FILE` (a whole system CA bundle is about 200 KiB). */
  certificate: { bytes: 4 * MiB, what: 'a certificate file', fix: `${CHECK} (PEM certificates)` },
  /** One file or staged blob `seeqret scan` searches (read in blocks, never whole; a larger one is skipped with a note). */
  scanFile: { bytes: 64 * MiB, what: 'a file to scan', fix: `${CHECK}; scan it by itself if it should be scanned` },
  /** The old seeqret tool's database, `seeqrets.db` (`import-vault`; not read whole, but every row is loaded). */
  v1Database: { bytes: 1024 * MiB, what: "an old seeqret vault's database", fix: `${CHECK} (the seeqrets.db of a seeqret 1.x vault)` },
} as const satisfies Record<string, Limit>;

/** A kind of input with a cap: a key of {@link LIMITS}. */
export type LimitKind = keyof typeof LIMITS;

/** `256 MiB`, `1.5 GiB`, `12 bytes`: a size for messages. */
export function sizeText(bytes: number): string {
  const units: Array<[number, string]> = [
    [1024 * MiB, 'GiB'],
    [MiB, 'MiB'],
    [KiB, 'KiB'],
  ];
  for (const [n, unit] of units) {
    if (bytes >= n) {
      const v = bytes / n;
      return `${Number.isInteger(v) ? v : v.toFixed(1)} ${unit}`;
    }
  }
  return `${bytes} byte${bytes === 1 ? '' : 's'}`;
}

/**
 * The `E_TOO_LARGE` error for `source` (a file name, or e.g. "stdin") of kind `kind`. `size` is
 * the size when known (a regular file), else the input is "more than" the cap.
 */
export function tooLarge(source: string, kind: LimitKind, size?: number): SeeqretError {
  const limit: Limit = LIMITS[kind];
  const how = size === undefined ? `is larger than ${sizeText(limit.bytes)}` : `is ${sizeText(size)}, more than ${sizeText(limit.bytes)}`;
  return new SeeqretError('E_TOO_LARGE', `${source} ${how}, the limit for ${limit.what}`, `${limit.fix} (limits: docs/formats.md#limits).`);
}
