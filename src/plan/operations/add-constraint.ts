import { z } from 'zod';
import { checkForeignKeyArity, constraintFragments, constraintRequires, constraintShapes, constraintSql, TYPE_EXPECTED } from './constraint-definition.js';
import type { OperationOutput } from './output.js';
import { identifier, tableShape } from './params.js';
import { ident, objectSql, tableSql } from './sql.js';

const target = {
  ...tableShape,
  /** The constraint's name (exact); for `unique`, also its index's. */
  name: identifier,
};

/**
 * `ops.addConstraint({ table, name, type, ... })`: a CHECK (`check`), a
 * FOREIGN KEY (`columns`, `references`) or a UNIQUE constraint (`columns`)
 * on existing columns, added without blocking writes: enforced on new writes
 * from expand, proven for existing rows in contract.
 */
export const addConstraintSchema = z
  .discriminatedUnion(
    'type',
    [z.strictObject({ ...target, ...constraintShapes.check }), z.strictObject({ ...target, ...constraintShapes.unique }), z.strictObject({ ...target, ...constraintShapes.foreignKey })],
    TYPE_EXPECTED,
  )
  .superRefine((definition, ctx) => checkForeignKeyArity(definition, ctx));

export type AddConstraintParams = z.output<typeof addConstraintSchema>;

/*
 * CHECK and FOREIGN KEY: NOT VALID in expand (instant), VALIDATE in contract
 * (a scan under SHARE UPDATE EXCLUSIVE). UNIQUE: the unique index built
 * concurrently in expand (a step outside a transaction; IF NOT EXISTS, and an
 * INVALID leftover of a failed build is dropped before the retry), the
 * constraint made from it in contract (catalog only).
 */
export function compileAddConstraint(p: AddConstraintParams): OperationOutput {
  const ref = { schema: p.schema, table: p.table };
  const alter = `ALTER TABLE ${tableSql(ref)}`;
  const name = ident(p.name);
  const fragments = constraintFragments(p, '');
  const requires = [{ field: 'table', ...ref }, ...constraintRequires(p, ref, '')];
  if (p.type === 'unique') {
    return {
      phases: {
        expand: {
          steps: [{ sql: `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ${name} ON ${tableSql(ref)} (${p.columns.map(ident).join(', ')})`, transaction: false }],
          down: [`DROP INDEX IF EXISTS ${objectSql(ref, p.name)}`],
        },
        contract: { steps: [{ sql: `${alter} ADD CONSTRAINT ${name} UNIQUE USING INDEX ${name}` }] },
      },
      fragments,
      requires,
    };
  }
  return {
    phases: {
      expand: { steps: [{ sql: `${alter} ADD CONSTRAINT ${name} ${constraintSql(p)} NOT VALID` }], down: [`${alter} DROP CONSTRAINT IF EXISTS ${name}`] },
      contract: { steps: [{ sql: `${alter} VALIDATE CONSTRAINT ${name}` }] },
    },
    fragments,
    requires,
  };
}
