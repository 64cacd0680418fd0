import type { TableSize } from '../analysis/index.js';
import type { Queryable } from '../state/index.js';

/** The server's major version (15 for 15.4), which decides what some DDL costs. */
export async function serverMajorVersion(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ v: number }>(`SELECT current_setting('server_version_num')::int / 10000 AS v`);
  return rows[0]?.v ?? 0;
}

/**
 * Size and planner row estimate of each named relation that exists, keyed by
 * the name as given. Unknown names are simply absent: the analysis then
 * treats their size as unknown, which is the cautious reading.
 */
export async function relationSizes(db: Queryable, relations: readonly string[]): Promise<Map<string, TableSize>> {
  if (relations.length === 0) return new Map();
  const { rows } = await db.query<{ name: string; bytes: string; rows: number }>(
    `SELECT r.name, pg_total_relation_size(c.oid) AS bytes, greatest(c.reltuples, 0)::float8 AS rows
       FROM unnest($1::text[]) AS r(name)
       JOIN pg_class c ON c.oid = to_regclass(r.name)`,
    [relations],
  );
  return new Map(rows.map((r) => [r.name, { bytes: Number(r.bytes), rows: r.rows }]));
}
