import type { MigrationDefinition, OperationInput, OperationName, OperationParams } from '../plan/index.js';

/*
 * What `import ... from 'phasegate'` gives a migration file. The loader's
 * worker resolves 'phasegate' to this file alone, so it must stay free of
 * runtime imports: the worker starts without the rest of the library.
 */

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

/** Builders of operations: `ops.alterColumn({ table, column, name })` is `{ op: 'alterColumn', table, column, name }`. */
export type OperationBuilders = { readonly [K in OperationName]: (params: OperationParams[K]) => OperationInput };

/**
 * Schema changes declared as data and compiled into all five phases
 * (docs/operations.md). Each builder only tags its parameters with the
 * operation's name; phasegate checks them when it loads the file.
 */
export const ops: OperationBuilders = new Proxy({} as OperationBuilders, {
  get: (_target, op) => (params: object) => ({ op, ...params }),
});
