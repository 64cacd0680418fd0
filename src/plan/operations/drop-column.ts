import { z } from 'zod';
import { generatedName } from './names.js';
import type { OperationOutput, PhaseOutput } from './output.js';
import { identifier, sqlText, tableShape } from './params.js';
import { dollarQuoted, ident, literal, tableSql, type TableRef } from './sql.js';
import { fillTrigger } from './sync-trigger.js';

/**
 * `ops.dropColumn({ table, column, down? })`: a column the new app no longer
 * reads or writes; the old app keeps both until contract, the column goes in
 * drop.
 */
export const dropColumnSchema = z.strictObject({
  ...tableShape,
  /** The column to drop (exact name). */
  column: identifier,
  /**
   * The column's value for rows the new app writes without it, as SQL over
   * the row's other columns (`lower(email)`): a trigger fills it until
   * contract, so the old app keeps reading a value. Without it, a NOT NULL
   * column is made nullable in expand, so the new app's inserts work.
   */
  down: sqlText.optional(),
});

export type DropColumnParams = z.output<typeof dropColumnSchema>;

export function compileDropColumn(p: DropColumnParams): OperationOutput {
  const ref = { schema: p.schema, table: p.table };
  const alter = `ALTER TABLE ${tableSql(ref)}`;
  const column = ident(p.column);
  const drop: PhaseOutput = { steps: [{ sql: `${alter} DROP COLUMN ${column}` }] };
  const requires = [{ field: 'column', ...ref, column: p.column }];
  if (p.down === undefined) return { phases: { expand: relaxNotNull(ref, p.column), drop }, requires };
  const trigger = fillTrigger(ref, { column: p.column, value: p.down, type: undefined });
  return {
    phases: {
      dualWrite: trigger.install,
      // The new app does not write the column and nothing fills it after the trigger: NULL must be allowed first.
      contract: { steps: [{ sql: `${alter} ALTER COLUMN ${column} DROP NOT NULL` }, ...trigger.remove.map((sql) => ({ sql }))] },
      drop,
    },
    fragments: [{ field: 'down', kind: 'expression', sql: p.down }],
    requires,
  };
}

/*
 * Whether the column is NOT NULL is a catalog fact the parameters do not
 * give, and rollback must put back exactly what was there. So expand drops
 * NOT NULL only when it is set, and records that it did, in the same
 * statement, with a marker constraint every row meets
 * (`pgate_<table>_<column>_was_not_null`, gone with the column in drop);
 * the down restores NOT NULL only where the marker is. Both are static SQL
 * in a DO block, so the analysis reads every statement.
 */
function relaxNotNull(ref: TableRef, columnName: string): PhaseOutput {
  const table = tableSql(ref);
  const column = ident(columnName);
  const marker = generatedName(ref.table, columnName, 'was_not_null');
  const relation = `${literal(table)}::regclass`;
  const expand = [
    'BEGIN',
    `  IF EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = ${relation} AND attname = ${literal(columnName)} AND attnotnull) THEN`,
    `    ALTER TABLE ${table} ALTER COLUMN ${column} DROP NOT NULL, ADD CONSTRAINT ${ident(marker)} CHECK (${column} IS NULL OR ${column} IS NOT NULL) NOT VALID;`,
    '  END IF;',
    'END',
  ];
  const down = [
    'BEGIN',
    `  IF EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conrelid = ${relation} AND conname = ${literal(marker)}) THEN`,
    `    ALTER TABLE ${table} ALTER COLUMN ${column} SET NOT NULL, DROP CONSTRAINT ${ident(marker)};`,
    '  END IF;',
    'END',
  ];
  return { steps: [{ sql: `DO ${dollarQuoted(expand.join('\n'))}` }], down: [`DO ${dollarQuoted(down.join('\n'))}`] };
}
