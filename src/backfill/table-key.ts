import { PhasegateError } from '../errors.js';
import type { Queryable } from '../state/index.js';

/** The columns batches are keyed on: the primary key, in index order. */
export async function primaryKeyColumns(db: Queryable, table: string): Promise<string[]> {
  const { rows: found } = await db.query<{ oid: number | null }>('SELECT to_regclass($1)::oid AS oid', [table]);
  const oid = found[0]?.oid;
  if (oid === null || oid === undefined) {
    throw new PhasegateError('INVALID_MIGRATION', `backfill table "${table}" does not exist`, {
      hint: 'check backfill.table; create the table in an earlier phase or migration',
    });
  }
  const { rows } = await db.query<{ column: string }>(
    `SELECT a.attname AS column
       FROM pg_index i
       JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1 AND i.indisprimary
      ORDER BY k.ord`,
    [oid],
  );
  if (rows.length === 0) {
    throw new PhasegateError('REFUSED', `backfill table "${table}" has no primary key`, {
      hint: 'batches walk the primary key; add one (CREATE UNIQUE INDEX CONCURRENTLY, then ADD PRIMARY KEY USING INDEX)',
    });
  }
  return rows.map((r) => r.column);
}
