import { generatedName } from './names.js';
import type { PhaseOutput } from './output.js';
import { dollarQuoted, ident, objectSql, pasted, tableSql, type TableRef } from './sql.js';

/** Two columns of one table that hold the same value in two shapes while both app versions run. */
export interface ColumnPair {
  /** The column the old app writes. */
  readonly old: string;
  /** The column the new app writes (a shadow name while a type change keeps the old name). */
  readonly new: string;
  /** The new value from a row of the old shape, as SQL (columns by name); cast to `newType` when that is known. */
  readonly up: string;
  /** The old value from a row of the new shape; undefined when only the old app writes (a shadow column). */
  readonly down: string | undefined;
  /** The new column's type, when it differs from (or is not known to equal) the old one's. */
  readonly newType: string | undefined;
}

/**
 * A BEFORE INSERT OR UPDATE trigger that keeps `pair.new` and `pair.old` in
 * step, whichever app version writes. The rules, per row:
 * - INSERT: a NULL new column is computed from the old shape (`up`);
 *   otherwise the new shape wins and the old column is computed (`down`).
 * - UPDATE: a new column that changed to something other than `up` of the row
 *   wins (`down` fills the old one); else a changed old column refills the new
 *   one. A write of both shapes in one statement keeps the new shape's value.
 *   A backfill that sets new = up(old) therefore never rewrites the old value.
 * A BEFORE trigger only edits NEW, so it cannot loop; `up` and `down` see the
 * row as a relation named like the table (`users.email` works).
 */
export function syncTrigger(table: TableRef, pair: ColumnPair): RowTrigger {
  const up = valueFromRow(table, pair.up, pair.newType);
  const oldCol = `NEW.${ident(pair.old)}`;
  const newCol = `NEW.${ident(pair.new)}`;
  const body =
    pair.down === undefined
      ? [
          `  IF TG_OP = 'INSERT' OR ${oldCol} IS DISTINCT FROM OLD.${ident(pair.old)} OR ${newCol} IS DISTINCT FROM OLD.${ident(pair.new)} THEN`,
          `    ${newCol} := ${up};`,
          '  END IF;',
        ]
      : [
          `  IF TG_OP = 'INSERT' THEN`,
          `    IF ${newCol} IS NULL THEN`,
          `      ${newCol} := ${up};`,
          '    ELSE',
          `      ${oldCol} := ${valueFromRow(table, pair.down, undefined)};`,
          '    END IF;',
          `  ELSIF ${newCol} IS DISTINCT FROM OLD.${ident(pair.new)} AND ${newCol} IS DISTINCT FROM ${up} THEN`,
          `    ${oldCol} := ${valueFromRow(table, pair.down, undefined)};`,
          `  ELSIF ${oldCol} IS DISTINCT FROM OLD.${ident(pair.old)} THEN`,
          `    ${newCol} := ${up};`,
          '  END IF;',
        ];
  return rowTrigger(table, generatedName(table.table, pair.new, 'sync'), body);
}

/** A column that some app version leaves out of its writes, and the value it gets then. */
export interface ColumnFill {
  readonly column: string;
  /** The value from the rest of the row, as SQL (columns by name). */
  readonly value: string;
  /** The column's type, to cast `value` to; undefined when `value` already has it. */
  readonly type: string | undefined;
}

/**
 * A BEFORE INSERT OR UPDATE trigger that fills one column for the app
 * version that does not know it (a column it does not write yet, or no
 * longer writes), one-way, per row:
 * - INSERT: a NULL column is computed from the row (`value`).
 * - UPDATE: a write that leaves the column as it was recomputes it from the
 *   new row when it was NULL (a row the backfill has not reached) or still
 *   holds `value` of the row before the write: the column follows `value`
 *   while nobody has written it. A value written explicitly, NULL included,
 *   stays.
 * A trigger cannot tell an omitted column from an explicit NULL on INSERT,
 * nor an UPDATE that rewrites the column's own value from one that leaves
 * it out: both are treated as leaving it to the trigger.
 */
export function fillTrigger(table: TableRef, fill: ColumnFill): RowTrigger {
  const column = ident(fill.column);
  const body = [
    `  IF TG_OP = 'INSERT' THEN`,
    `    IF NEW.${column} IS NULL THEN`,
    `      NEW.${column} := ${valueFromRow(table, fill.value, fill.type)};`,
    '    END IF;',
    `  ELSIF NEW.${column} IS NOT DISTINCT FROM OLD.${column} AND (OLD.${column} IS NULL OR OLD.${column} IS NOT DISTINCT FROM ${valueFromRow(table, fill.value, fill.type, 'OLD')}) THEN`,
    `    NEW.${column} := ${valueFromRow(table, fill.value, fill.type)};`,
    '  END IF;',
  ];
  return rowTrigger(table, generatedName(table.table, fill.column, 'fill'), body);
}

/** A generated row trigger: how to install it (undoable) and how to remove it. */
export interface RowTrigger {
  readonly name: string;
  readonly install: PhaseOutput;
  readonly remove: readonly string[];
}

/**
 * `expression` evaluated over the row being written (or the row before the
 * write): it sees the row as a relation named like the table, so
 * `users.email` works as well as `email`.
 */
function valueFromRow(table: TableRef, expression: string, type: string | undefined, row: 'NEW' | 'OLD' = 'NEW'): string {
  // A lone quoted name (what a plain rename generates) is the row's field: read it directly, without a query per row.
  if (QUOTED_NAME.test(expression)) return type === undefined ? `${row}.${expression}` : `CAST(${row}.${expression} AS ${pasted(type)})`;
  const value = type === undefined ? `(${pasted(expression)})` : `CAST((${pasted(expression)}) AS ${pasted(type)})`;
  return `(SELECT ${value} FROM (SELECT ${row}.*) AS ${ident(table.table)})`;
}

const QUOTED_NAME = /^"(?:[^"]|"")+"$/;

/** A PL/pgSQL trigger function named `name` with `body`, and its BEFORE INSERT OR UPDATE row trigger. */
function rowTrigger(table: TableRef, name: string, body: readonly string[]): RowTrigger {
  const fn = `${objectSql(table, name)}()`;
  const create = `CREATE OR REPLACE FUNCTION ${fn} RETURNS trigger LANGUAGE plpgsql AS ${dollarQuoted(['#variable_conflict use_column', 'BEGIN', ...body, '  RETURN NEW;', 'END'].join('\n'))}`;
  const remove = [`DROP TRIGGER IF EXISTS ${ident(name)} ON ${tableSql(table)}`, `DROP FUNCTION IF EXISTS ${fn}`];
  return {
    name,
    install: {
      steps: [{ sql: create }, { sql: `CREATE TRIGGER ${ident(name)} BEFORE INSERT OR UPDATE ON ${tableSql(table)} FOR EACH ROW EXECUTE FUNCTION ${fn}` }],
      down: remove,
    },
    remove,
  };
}
