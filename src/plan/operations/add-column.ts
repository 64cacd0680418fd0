import { z } from 'zod';
import { columnCheck, columnReference, columnReferencesSql } from './constraint-definition.js';
import { generatedName } from './names.js';
import { setNotNullSteps } from './not-null.js';
import type { GeneratedStep, OperationFragment, OperationOutput, RequiredName } from './output.js';
import { identifier, sqlText, tableShape } from './params.js';
import { ident, pasted, tableSql } from './sql.js';
import { fillTrigger } from './sync-trigger.js';

const columnSchema = z.strictObject({
  /** The new column's name (exact). */
  name: identifier,
  /** Its type as SQL (`text`, `bigint`, `varchar(200)`, `app.mood`). */
  type: sqlText,
  /**
   * false makes the column NOT NULL in contract, the safe way; it then needs
   * `up` or `default`, so existing rows and the old app's rows get a value.
   * @default true
   */
  nullable: z.boolean().optional(),
  /**
   * The default as SQL (`'new'`, `0`, `now()`). Without `up` the column is
   * added with it (instant for a constant or stable default), so existing and
   * old-app rows read it; with `up` it is set in contract, once the old app,
   * whose rows `up` fills, is gone.
   */
  default: sqlText.optional(),
  /** true adds a UNIQUE constraint in contract (a concurrent unique index, then USING INDEX). */
  unique: z.boolean().optional(),
  /** A CHECK on the column: added NOT VALID in expand (new writes obey it), validated in contract. */
  check: columnCheck.optional(),
  /** A foreign key from the column: added NOT VALID in expand, validated in contract. */
  references: columnReference.optional(),
});

/**
 * `ops.addColumn({ table, column: { name, type, ... }, up? })`: a new column
 * that may be NOT NULL, UNIQUE, CHECKed or a foreign key, computed with `up`
 * for existing rows and for rows the old app writes without it.
 */
export const addColumnSchema = z
  .strictObject({
    ...tableShape,
    /** The column to add. */
    column: columnSchema,
    /**
     * The value of the column for a row that lacks it, as SQL over the row's
     * other columns (`lower(email)`, `users.first_name || ' ' || users.last_name`):
     * the backfill sets it on existing rows, a trigger on rows the old app
     * inserts until contract. Cast to the column's type.
     */
    up: sqlText.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.column.nullable === false && p.up === undefined && p.column.default === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['column', 'nullable'],
        message: 'false needs up (the value for existing rows and the old app\'s rows) or column.default: without either they would be NULL',
      });
    }
  });

export type AddColumnParams = z.output<typeof addColumnSchema>;

/*
 * expand: the column, nullable, with its default when there is no `up`, and
 * its CHECK and FOREIGN KEY as NOT VALID (enforced on new writes, no scan).
 * dualWrite: with `up`, a trigger fills the column on rows the old app writes.
 * backfill: with `up`, existing rows in batches. contract: the default (with
 * `up`), NOT NULL, validation, UNIQUE, and the trigger retired.
 */
export function compileAddColumn(p: AddColumnParams): OperationOutput {
  const ref = { schema: p.schema, table: p.table };
  const table = tableSql(ref);
  const { column: col, up } = p;
  const column = ident(col.name);
  const check = col.check === undefined ? undefined : { name: ident(col.check.name ?? generatedName(p.table, col.name, 'check')), sql: col.check.constraint };
  const fkey = col.references === undefined ? undefined : { name: ident(col.references.name ?? generatedName(p.table, col.name, 'fkey')), target: col.references };
  const defaultAtAdd = up === undefined && col.default !== undefined ? ` DEFAULT ${pasted(col.default)}` : '';
  const additions = [
    `ADD COLUMN ${column} ${pasted(col.type)}${defaultAtAdd}`,
    ...(check === undefined ? [] : [`ADD CONSTRAINT ${check.name} CHECK (${pasted(check.sql)}) NOT VALID`]),
    ...(fkey === undefined ? [] : [`ADD CONSTRAINT ${fkey.name} FOREIGN KEY (${column}) ${columnReferencesSql(fkey.target)} NOT VALID`]),
  ];
  const trigger = up === undefined ? undefined : fillTrigger(ref, { column: col.name, value: up, type: col.type });
  const alter = `ALTER TABLE ${table}`;
  const contract: GeneratedStep[] = [
    ...(up !== undefined && col.default !== undefined ? [{ sql: `${alter} ALTER COLUMN ${column} SET DEFAULT ${pasted(col.default)}` }] : []),
    ...(col.nullable === false ? setNotNullSteps(ref, col.name) : []),
    ...(check === undefined ? [] : [{ sql: `${alter} VALIDATE CONSTRAINT ${check.name}` }]),
    ...(fkey === undefined ? [] : [{ sql: `${alter} VALIDATE CONSTRAINT ${fkey.name}` }]),
    ...(col.unique === true ? uniqueSteps(table, column, ident(generatedName(p.table, col.name, 'key'))) : []),
    ...(trigger?.remove ?? []).map((sql) => ({ sql })),
  ];
  const upValue = up === undefined ? undefined : `CAST((${pasted(up)}) AS ${pasted(col.type)})`;
  const fragments: OperationFragment[] = [
    { field: 'column.type', kind: 'typeName', sql: col.type },
    ...(col.default === undefined ? [] : [{ field: 'column.default', kind: 'expression' as const, sql: col.default }]),
    ...(col.check === undefined ? [] : [{ field: 'column.check.constraint', kind: 'condition' as const, sql: col.check.constraint }]),
    ...(up === undefined ? [] : [{ field: 'up', kind: 'expression' as const, sql: up }]),
  ];
  const requires: RequiredName[] = [
    { field: 'table', ...ref },
    ...(col.references === undefined ? [] : [{ field: 'column.references', schema: col.references.schema, table: col.references.table, column: col.references.column }]),
  ];
  return {
    phases: {
      expand: { steps: [{ sql: `${alter}\n  ${additions.join(',\n  ')}` }], down: [`${alter} DROP COLUMN IF EXISTS ${column}`] },
      ...(trigger === undefined ? {} : { dualWrite: trigger.install }),
      // The backfill's rows need no undo of their own: expand's down drops the column they were written to.
      ...(upValue === undefined ? {} : { backfill: { steps: [], down: [], ...(col.nullable === false ? { verify: [`SELECT count(*) FROM ${table} WHERE ${column} IS NULL`] } : {}) } }),
      ...(contract.length === 0 ? {} : { contract: { steps: contract } }),
    },
    ...(upValue === undefined ? {} : { backfill: { table, set: [`${column} = ${upValue}`], where: `${column} IS NULL AND ${upValue} IS NOT NULL` } }),
    fragments,
    requires,
  };
}

/** UNIQUE without ACCESS EXCLUSIVE through a build: the index concurrently (outside a transaction), then the constraint adopts it. */
function uniqueSteps(table: string, column: string, key: string): GeneratedStep[] {
  return [
    { sql: `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ${key} ON ${table} (${column})`, transaction: false },
    { sql: `ALTER TABLE ${table} ADD CONSTRAINT ${key} UNIQUE USING INDEX ${key}` },
  ];
}
