import { PhasegateError } from '../errors.js';
import type { Queryable } from '../state/index.js';

/** The columns batches walk, and the unique index that orders them. */
export interface TableKey {
  readonly columns: readonly string[];
  readonly index: string;
  readonly isPrimary: boolean;
}

/**
 * The key batches are cut on: the primary key, else the narrowest unique,
 * non-partial index on plain NOT NULL columns (a NULL or duplicate key would
 * let rows fall between two batches or into two). Refuses a table with neither.
 */
export async function tableKey(db: Queryable, table: string): Promise<TableKey> {
  const { rows: found } = await db.query<{ oid: number | null }>('SELECT to_regclass($1)::oid AS oid', [table]);
  const oid = found[0]?.oid;
  if (oid === null || oid === undefined) {
    throw new PhasegateError('INVALID_MIGRATION', `backfill table "${table}" does not exist`, {
      hint: 'check backfill.table; create the table in an earlier phase or migration',
    });
  }
  const { rows } = await db.query<{ index: string; is_primary: boolean; columns: string[]; not_null: boolean }>(
    `SELECT i.indexrelid::regclass::text AS index, i.indisprimary AS is_primary,
            array_agg(a.attname::text ORDER BY k.ord) AS columns, bool_and(a.attnotnull) AS not_null
       FROM pg_index i
       JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON k.ord <= i.indnkeyatts
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1 AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
      GROUP BY i.indexrelid, i.indisprimary
      ORDER BY i.indisprimary DESC, count(*), 1`,
    [oid],
  );
  const key = rows.find((r) => r.not_null);
  if (key === undefined) {
    throw new PhasegateError('REFUSED', `backfill table "${table}" has no primary key and no unique index on NOT NULL columns`, {
      hint: 'batches walk a unique key in order; add a primary key (CREATE UNIQUE INDEX CONCURRENTLY, then ADD PRIMARY KEY USING INDEX) in an earlier phase',
    });
  }
  return { columns: key.columns, index: key.index, isPrimary: key.is_primary };
}
