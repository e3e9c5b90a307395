/**
 * `seeqret/project`: projects, environments, variable descriptions and typed generation for
 * programs (see docs/project.md). The CLI's project commands are built on these.
 *
 * @module
 */
export {
  ENV_VARIABLE,
  GROUPS_DIR,
  LOCAL_ENV_FILE,
  PROJECT_FILE,
  type EnvironmentSource,
  type Project,
  type ProjectConfig,
  checkEnvironmentName,
  createProject,
  describedEnvironments,
  environmentDir,
  environmentExists,
  environmentTmpDir,
  findProject,
  groupsDir,
  loadProject,
  parseProjectText,
  readLocalDefault,
  requireProject,
  resolveEnvironment,
  serializeProject,
  writeLocalDefault,
} from './project.js';
export { type VariableState, environmentEntries, environmentGroups, environmentRecords, environmentVariables } from './variables.js';
export { type CloneSource, type EnvironmentInfo, createEnvironments, listEnvironments, readCloneSource, resolveCloneSource } from './environments.js';
export { type GenerationOptions, type GenerationPlan, type GenerationTarget, planGeneration } from './generation.js';
export { type PsecEnvironment, type PsecValue, readPsecEnvironment } from './psec.js';
export { type Assignment, type ValueSource, parseAssignment, valueSource } from './assign.js';
export { SECRET_TYPES, type Options, parseOptions } from './secret-types.js';
export { type Group, type VariableDescription, loadGroups, parseGroupText, serializeGroup, validateValue } from './descriptions.js';
export { DEFAULT_PASSWORD, PSEC_PASSWORD, type PasswordOptions, generatePassword, passwordEntropyBits } from './password.js';
export { type GenerateOptions, entropyBits, generate } from './generators.js';
export { sha512Crypt, verifyShaCrypt } from '../crypto/shacrypt.js';
