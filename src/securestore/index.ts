/**
 * `seeqret/securestore`: create, read and change SecureStore v3 vaults (`secrets.json` plus a
 * password or key file), the cross-language format of the SecureStore libraries and `ssclient`.
 *
 * ```ts
 * import { SecretsManager, KeySource } from 'seeqret/securestore';
 * const sman = SecretsManager.fromFile('secrets.json', KeySource.fromFile('secrets.key'));
 * sman.get('db:password');                 // string, or null when missing
 * sman.set('api:token', 'sk_live_…');
 * sman.save();                             // atomic, reference layout
 * ```
 *
 * Loads no native addon (Node's crypto only) and none of the seeqret vault code.
 *
 * @module
 */
export { KeySource, SecretsManager, type CreateOptions } from './manager.js';
export { SS_VERSION, compareNames, parseVault, parseVaultObject, serializeVault, type SsVaultData } from './format.js';
export { formatKeyFile, parseKeyFile, readKeyFile, writeKeyFile } from './keyfile.js';
export { SS_PBKDF2_ROUNDS, type SsEncrypted } from '../crypto/securestore.js';
export { SeeqretError, isSeeqretError, type ErrorCode } from '../errors.js';
