import type { MigrationDefinition } from '../plan/index.js';

/**
 * What `import ... from 'phasegate'` gives a migration file while it loads in
 * the loader's worker: `defineMigration` alone, so the worker starts without
 * the rest of the library. Same signature as the exported `defineMigration`.
 */
export function defineMigration<const T extends MigrationDefinition>(definition: T): T {
  return definition;
}
