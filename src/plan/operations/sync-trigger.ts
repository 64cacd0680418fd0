import { generatedName } from './names.js';
import type { PhaseOutput } from './output.js';
import { ident, objectSql, tableSql, type TableRef } from './sql.js';

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
export function syncTrigger(table: TableRef, pair: ColumnPair): { readonly name: string; readonly install: PhaseOutput; readonly remove: readonly string[] } {
  const name = generatedName(table.table, pair.new, 'sync');
  const fn = `${objectSql(table, name)}()`;
  const row = `(SELECT NEW.*) AS ${ident(table.table)}`;
  const up = `(SELECT ${pair.newType === undefined ? `(${pair.up})` : `CAST((${pair.up}) AS ${pair.newType})`} FROM ${row})`;
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
          `      ${oldCol} := (SELECT (${pair.down}) FROM ${row});`,
          '    END IF;',
          `  ELSIF ${newCol} IS DISTINCT FROM OLD.${ident(pair.new)} AND ${newCol} IS DISTINCT FROM ${up} THEN`,
          `    ${oldCol} := (SELECT (${pair.down}) FROM ${row});`,
          `  ELSIF ${oldCol} IS DISTINCT FROM OLD.${ident(pair.old)} THEN`,
          `    ${newCol} := ${up};`,
          '  END IF;',
        ];
  const create = [
    `CREATE OR REPLACE FUNCTION ${fn} RETURNS trigger LANGUAGE plpgsql AS $pgate$`,
    '#variable_conflict use_column',
    'BEGIN',
    ...body,
    '  RETURN NEW;',
    'END',
    '$pgate$',
  ].join('\n');
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
