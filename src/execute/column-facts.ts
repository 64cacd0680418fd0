import type { AnalysisInput, CatalogColumn } from '../analysis/index.js';
import type { Queryable } from '../state/index.js';
import { relationSizes } from './catalog.js';

/** What a reachable database tells the analysis beyond the SQL itself. */
export type DatabaseFacts = Pick<AnalysisInput, 'tableSizes' | 'catalogColumns' | 'sessionTimeZone'>;

/**
 * Sizes, column facts and the session TimeZone for the named relations, in
 * three catalog reads. Column keys are `name.column` with the relation named
 * as given, which is how the analysis looks them up.
 */
export async function databaseFacts(db: Queryable, relations: readonly string[]): Promise<DatabaseFacts> {
  // One connection runs one query at a time: sequential on purpose.
  const tableSizes = await relationSizes(db, relations);
  const catalogColumns = await columnFacts(db, relations);
  return { tableSizes, catalogColumns, sessionTimeZone: await timeZone(db) };
}

/** The session's TimeZone setting, which decides whether timestamp → timestamptz rewrites. */
export async function timeZone(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ tz: string }>(`SELECT current_setting('TimeZone') AS tz`);
  return rows[0]?.tz ?? '';
}

/**
 * Type, NOT NULL, default and validated `CHECK (col IS NOT NULL)` of every
 * column of the named relations that exist; unknown names are absent. Reads
 * only the catalog (no lock on the tables), so it never queues behind DDL.
 */
export async function columnFacts(db: Queryable, relations: readonly string[]): Promise<Map<string, CatalogColumn>> {
  if (relations.length === 0) return new Map();
  const { rows } = await db.query<{ name: string; column: string; type: string; not_null: boolean; has_default: boolean; not_null_check: boolean }>(
    `SELECT r.name, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, a.atthasdef AS has_default,
            EXISTS (SELECT 1 FROM pg_constraint c
                     WHERE c.conrelid = a.attrelid AND c.contype = 'c' AND c.convalidated
                       AND pg_get_constraintdef(c.oid) = 'CHECK ((' || quote_ident(a.attname) || ' IS NOT NULL))') AS not_null_check
       FROM unnest($1::text[]) AS r(name)
       JOIN pg_attribute a ON a.attrelid = to_regclass(r.name) AND a.attnum > 0 AND NOT a.attisdropped`,
    [relations],
  );
  return new Map(
    rows.map((r) => [`${r.name}.${r.column}`, { type: r.type, notNull: r.not_null, hasDefault: r.has_default, notNullCheck: r.not_null_check }]),
  );
}
