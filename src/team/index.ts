/**
 * `seeqret/team`: pocket_protector's `protected.yaml` as a typed, immutable API.
 *
 * ```ts
 * import { TeamFile } from 'seeqret/team';
 * const tf = TeamFile.open('protected.yaml');
 * const me = tf.unlock({ name: 'alice@example.com', passphrase: process.env.TEAM_PASSPHRASE! });
 * const prod = tf.decryptDomain('prod', me);          // Map<string, string>
 * tf.updateSecret('prod', 'DB_PASSWORD', 'n3w').write(); // returns the text written
 * ```
 *
 * See docs/team.md.
 *
 * @module
 */
export {
  TeamFile,
  auditTimestamp,
  checkCustodianName,
  checkDomainName,
  checkSecretName,
  type CustodianInfo,
  type KeyType,
  type SignatureChain,
  type SignatureStatus,
  type TeamCredentials,
  type UnlockedCustodian,
} from './store.js';
export { EXTENSIONS, EXTENSION_FORMAT, type CustodianEntry, type DomainEntry, type Extension, type TeamData } from './format.js';
export { parseTeamText } from './read.js';
export { serializeTeamData } from './serialize.js';
export { FAST_COST, HARD_COST, RAW_PASSPHRASE_RE, newRawPassphrase, type KdfCost } from '../crypto/team.js';
export { checkSigner, readTrust, signerFingerprint, trustSigner, TRUST_FILE, type TrustedSigner } from './trust.js';
export { STATE_FILE, advance, assess, isTrusted, keyringChanges, keyringFingerprint, observe, type Keyring, type Observation, type SignatureTrust, type TeamPin, type Verdict } from './state.js';
export { findPin, readTeamState, updateTeamState, type TeamState } from './state-file.js';
export { SeeqretError, isSeeqretError, type ErrorCode } from '../errors.js';
