import type { MigrationDefinition } from './schema.js';

/**
 * Declares a phased migration. The definition is validated when phasegate
 * loads the file, so a mistake names the file and the field; a plain (not
 * generic) parameter lets the compiler reject a misspelt key (`expnad:`) too.
 *
 * @example
 * export default defineMigration({
 *   description: 'add users.nickname',
 *   expand: { sql: 'ALTER TABLE users ADD COLUMN nickname text' },
 * });
 */
export function defineMigration(definition: MigrationDefinition): MigrationDefinition {
  return definition;
}
