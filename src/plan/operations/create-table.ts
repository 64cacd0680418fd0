import { columnReference, columnReferencesSql } from './constraint-definition.js';
import { z } from 'zod';
import type { OperationFragment, OperationOutput, RequiredName } from './output.js';
import { identifier, sqlText, tableShape } from './params.js';
import { ident, tableSql } from './sql.js';

const columnSchema = z
  .strictObject({
    /** The column's exact name. */
    name: identifier,
    /** Its type as SQL ("bigint", "varchar(200)", "jsonb"). */
    type: sqlText,
    /** false adds NOT NULL; columns are nullable unless this says otherwise or they are in the primary key. */
    nullable: z.boolean().optional(),
    /** A default as one SQL expression ("now()", "'draft'"). */
    default: sqlText.optional(),
    /** The column is (part of) the primary key; several such columns make one composite key, in the order listed. */
    primaryKey: z.boolean().optional(),
    /** A UNIQUE constraint on this column alone. */
    unique: z.boolean().optional(),
    /** A CHECK condition as one boolean SQL expression ("price >= 0"). */
    check: sqlText.optional(),
    /** A foreign key to another table's column. */
    references: columnReference.optional(),
  })
  .refine((c) => !(c.primaryKey === true && c.nullable === true), { error: 'a primary key column cannot be nullable (drop nullable: true or primaryKey: true)' });

/**
 * `ops.createTable({ table, columns })`: a new table, created in expand. No
 * deployed app uses it yet, so it is built in one statement, constraints
 * included, and rollback drops it (it can hold only rows the new app wrote).
 */
export const createTableSchema = z
  .strictObject({
    ...tableShape,
    /** The columns in table order; at least one. */
    columns: z.array(columnSchema).min(1, 'must list at least one column'),
  })
  .superRefine((p, ctx) => {
    p.columns.forEach((c, i) => {
      if (p.columns.findIndex((o) => o.name === c.name) !== i) ctx.addIssue({ code: 'custom', path: ['columns', i, 'name'], message: `${JSON.stringify(c.name)} is listed twice` });
    });
  });

export function compileCreateTable(params: z.output<typeof createTableSchema>): OperationOutput {
  const ref = { schema: params.schema, table: params.table };
  const table = tableSql(ref);
  const keys = params.columns.filter((c) => c.primaryKey === true).map((c) => ident(c.name));
  const lines = [...params.columns.map(columnSql), ...(keys.length === 0 ? [] : [`PRIMARY KEY (${keys.join(', ')})`])];
  const fragments: OperationFragment[] = params.columns.flatMap((c, i) => [
    { field: `columns.${i}.type`, kind: 'typeName' as const, sql: c.type },
    ...(c.default === undefined ? [] : [{ field: `columns.${i}.default`, kind: 'expression' as const, sql: c.default }]),
    ...(c.check === undefined ? [] : [{ field: `columns.${i}.check`, kind: 'condition' as const, sql: c.check }]),
  ]);
  // A reference to the table itself is found once it exists; any other must exist before.
  const requires: RequiredName[] = params.columns.flatMap((c, i) =>
    c.references === undefined || (c.references.table === params.table && c.references.schema === params.schema)
      ? []
      : [{ field: `columns.${i}.references`, schema: c.references.schema, table: c.references.table, column: c.references.column }],
  );
  return {
    phases: { expand: { steps: [{ sql: `CREATE TABLE ${table} (\n  ${lines.join(',\n  ')}\n)` }], down: [`DROP TABLE ${table}`] } },
    fragments,
    requires,
    creates: [ref],
  };
}

function columnSql(column: z.output<typeof columnSchema>): string {
  const { references: ref } = column;
  return [
    `${ident(column.name)} ${column.type}`,
    ...(column.nullable === false && column.primaryKey !== true ? ['NOT NULL'] : []),
    ...(column.default === undefined ? [] : [`DEFAULT (${column.default})`]),
    ...(column.unique === true ? ['UNIQUE'] : []),
    ...(column.check === undefined ? [] : [`CHECK (${column.check})`]),
    ...(ref === undefined ? [] : [`${ref.name === undefined ? '' : `CONSTRAINT ${ident(ref.name)} `}${columnReferencesSql(ref)}`]),
  ].join(' ');
}
