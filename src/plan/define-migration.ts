import type { MigrationDefinition } from './schema.js';

/**
 * Declares a phased migration. The definition is validated when phasegate
 * loads the file, so a mistake names the file and the field.
 *
 * @example
 * export default defineMigration({
 *   description: 'add users.nickname',
 *   expand: { sql: 'ALTER TABLE users ADD COLUMN nickname text' },
 * });
 */
export function defineMigration<const T extends MigrationDefinition>(definition: T): T {
  return definition;
}
