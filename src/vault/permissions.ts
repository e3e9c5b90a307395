/**
 * How a permission problem of a vault folder is described: the warning every command prints
 * when it opens the vault, and the `doctor` finding.
 *
 * @module
 */
import { type PermissionProblem, modeText } from '../util/permissions.js';
import { printable } from '../util/text.js';

/** The warning (and `doctor` finding) for one entry of {@link checkPrivate}. */
export function permissionText(p: PermissionProblem): string {
  if (p.kind === 'symlink') {
    const to = p.target ? `a symbolic link to ${printable(p.target)}` : 'a symbolic link';
    const wider = (p.mode & ~p.wanted & 0o077) !== 0;
    const where = p.target && p.mode === 0 ? ', which does not exist' : ` (mode ${modeText(p.mode)}${wider ? ': other users can access it' : ''})`;
    return `${printable(p.path)} is ${to}${where}; files in a vault folder must not be links: put the file itself there`;
  }
  return `${p.kind} ${printable(p.path)} is mode ${modeText(p.mode)}: other users can access it (want ${modeText(p.wanted)}); run \`seeqret doctor --fix\``;
}
