import type { AnalysisInput, CatalogColumn, RelationLock, TableSize } from '../analysis/index.js';
import { relationSizes, resolveRelations, type Queryable } from '../pg/index.js';

/** What a reachable database tells the analysis beyond the SQL itself. */
export type DatabaseFacts = Pick<AnalysisInput, 'tableSizes' | 'catalogColumns' | 'sessionTimeZone'>;

/**
 * Sizes, column facts and the session TimeZone for the locked relations.
 * Each relation is found once by its exact parsed name; results are keyed by
 * the name as written, which is how the analysis looks them up. One that does
 * not exist (yet) is absent: unknown, which is the cautious reading.
 */
export async function databaseFacts(db: Queryable, locks: readonly RelationLock[]): Promise<DatabaseFacts> {
  // One connection runs one query at a time: sequential on purpose.
  const named = await resolveWritten(db, locks);
  const sizes = await relationSizes(db, named.map((n) => n.oid));
  const tableSizes = new Map<string, TableSize>();
  for (const { written, oid } of named) {
    const size = sizes.get(oid);
    if (size !== undefined) tableSizes.set(written, { bytes: size.bytes, rows: size.rows });
  }
  return { tableSizes, catalogColumns: await columnsOf(db, named), sessionTimeZone: await timeZone(db) };
}

/** The session's TimeZone setting, which decides whether timestamp → timestamptz rewrites. */
export async function timeZone(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ tz: string }>(`SELECT current_setting('TimeZone') AS tz`);
  return rows[0]?.tz ?? '';
}

/**
 * Type, NOT NULL, default and validated `CHECK (col IS NOT NULL)` of every
 * column of the locked relations, keyed `written name.column`. Reads only the
 * catalog (no lock on the tables), so it never queues behind DDL.
 */
export async function columnFacts(db: Queryable, locks: readonly RelationLock[]): Promise<Map<string, CatalogColumn>> {
  return columnsOf(db, await resolveWritten(db, locks));
}

interface WrittenRelation {
  /** The name as the migration wrote it: the analysis's lookup key. */
  readonly written: string;
  readonly oid: number;
}

/** Each lock's relation found once by its exact parsed name; ones that do not exist (yet) are left out. */
async function resolveWritten(db: Queryable, locks: readonly RelationLock[]): Promise<WrittenRelation[]> {
  const resolved = await resolveRelations(db, locks.map((l) => l.name));
  return locks.flatMap((lock, i) => {
    const relation = resolved[i];
    return relation === null || relation === undefined ? [] : [{ written: lock.relation, oid: relation.oid }];
  });
}

async function columnsOf(db: Queryable, relations: readonly WrittenRelation[]): Promise<Map<string, CatalogColumn>> {
  if (relations.length === 0) return new Map();
  const { rows } = await db.query<{ name: string; column: string; type: string; not_null: boolean; has_default: boolean; not_null_check: boolean }>(
    `SELECT r.name, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, a.atthasdef AS has_default,
            EXISTS (SELECT 1 FROM pg_constraint c
                     WHERE c.conrelid = a.attrelid AND c.contype = 'c' AND c.convalidated
                       AND pg_get_constraintdef(c.oid) = 'CHECK ((' || quote_ident(a.attname) || ' IS NOT NULL))') AS not_null_check
       FROM unnest($1::text[], $2::oid[]) AS r(name, oid)
       JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped`,
    [relations.map((r) => r.written), relations.map((r) => r.oid)],
  );
  return new Map(
    rows.map((r) => [`${r.name}.${r.column}`, { type: r.type, notNull: r.not_null, hasDefault: r.has_default, notNullCheck: r.not_null_check }]),
  );
}
