import { z } from 'zod';
import { constraintDefinition, constraintFragments, constraintRequires, constraintSql } from './constraint-definition.js';
import type { OperationOutput } from './output.js';
import { identifier, tableShape } from './params.js';
import { ident, tableSql } from './sql.js';

/**
 * `ops.dropConstraint({ table, name, definition? })`: a constraint the new
 * app must be free of. With its `definition` it goes early (expand), so the
 * new app may write what it forbade, and rollback puts it back; without one
 * it cannot be put back, so it goes in contract, which is never undone.
 */
export const dropConstraintSchema = z.strictObject({
  ...tableShape,
  /** The constraint's name (exact). */
  name: identifier,
  /**
   * The constraint as it is, in addConstraint's terms (`{ type: 'check',
   * check: 'price > 0' }`, `{ type: 'foreignKey', columns, references }`,
   * `{ type: 'unique', columns }`): rollback re-adds it from this.
   */
  definition: constraintDefinition.optional(),
});

export type DropConstraintParams = z.output<typeof dropConstraintSchema>;

export function compileDropConstraint(p: DropConstraintParams): OperationOutput {
  const ref = { schema: p.schema, table: p.table };
  const alter = `ALTER TABLE ${tableSql(ref)}`;
  const drop = { sql: `${alter} DROP CONSTRAINT ${ident(p.name)}` };
  const requires = [{ field: 'table', ...ref }];
  if (p.definition === undefined) return { phases: { contract: { steps: [drop] } }, requires };
  return {
    // Rollback runs its statements in one transaction, so re-adding validates there, at once.
    phases: { expand: { steps: [drop], down: [`${alter} ADD CONSTRAINT ${ident(p.name)} ${constraintSql(p.definition)}`] } },
    fragments: constraintFragments(p.definition, 'definition.'),
    requires: [...requires, ...constraintRequires(p.definition, ref, 'definition.')],
  };
}
