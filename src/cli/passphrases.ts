/**
 * The run's passphrase chain (src/passphrase.ts): the files its options name, then its
 * environment (`SEEQRET_PASSPHRASE`, `SEEQRET_BACKUP_PASSPHRASE`, `SEEQRET_SS_PASSWORD`), then a
 * hidden prompt on a terminal. Every command that opens something protected asks it, so the
 * order is the same everywhere; a new source (an unlock agent) is one more entry of
 * {@link cliPassphrases}'s list.
 *
 * @module
 */
import { type PassphraseKind, type PassphraseSource, environmentPassphrases, filePassphrase, passphraseChain } from '../passphrase.js';
import { io } from './cli-io.js';
import { promptHidden, promptNewSecret, stdinIsTTY } from './io.js';

/**
 * The terminal as a passphrase source: a hidden prompt (a new passphrase asked twice, checked
 * before the second time); nothing when stdin is not a terminal.
 */
export const terminalPassphrases: PassphraseSource = {
  async passphrase(request) {
    if (!stdinIsTTY()) return undefined;
    const answer = request.isNew
      ? await promptNewSecret(request.label, { what: `the ${request.label.toLowerCase()}`, repeat: request.repeat ?? `Repeat the ${request.label.toLowerCase()}`, passphrase: true, ...(request.check ? { check: request.check } : {}) })
      : await promptHidden(request.label);
    return Buffer.from(answer, 'utf8');
  },
};

/** The files options name, by what they unlock (`--passphrase-file`, `--backup-passphrase-file`, `--password-file`). */
export type PassphraseFiles = Partial<Record<PassphraseKind, string | undefined>>;

/** The chain of this run: `files`, the run's environment, the terminal. */
export function cliPassphrases(files: PassphraseFiles): PassphraseSource {
  const fromFiles = Object.entries(files).map(([kind, file]) => (file ? filePassphrase(file, kind as PassphraseKind) : undefined));
  return passphraseChain([...fromFiles, environmentPassphrases(io().env), terminalPassphrases]);
}
