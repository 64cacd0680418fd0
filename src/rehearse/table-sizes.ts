import type { Queryable } from '../state/index.js';

/** Heap and index bytes of one table. */
export interface TableBytes {
  readonly table: number;
  readonly indexes: number;
}

/** Sizes of every user table outside the state schema, keyed "schema.table". */
export async function tableSizes(db: Queryable, stateSchema: string): Promise<Map<string, TableBytes>> {
  const { rows } = await db.query<{ name: string; table: string; indexes: string }>(
    `SELECT n.nspname || '.' || c.relname AS name, pg_table_size(c.oid) AS table, pg_indexes_size(c.oid) AS indexes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname <> ALL ($1::text[]) AND n.nspname NOT LIKE 'pg\\_%'`,
    [['information_schema', stateSchema]],
  );
  return new Map(rows.map((r) => [r.name, { table: Number(r.table), indexes: Number(r.indexes) }]));
}
