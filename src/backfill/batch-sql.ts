import type { BackfillSpec } from '../plan/index.js';
import { quoteIdent } from '../state/index.js';
import type { TableKey } from './table-key.js';

/** The statements of one backfill, built once. Keys travel as text arrays in key order. */
export interface BatchSql {
  /** The highest key now: `[]` → `{ key }`. */
  readonly upperKey: string;
  /**
   * The end of the next batch: at most `limit` keys after `lower` (exclusive)
   * and up to `upper`, walked in index order. `[...upper, limit, ...lower?]` → `{ rows, last_key }`.
   */
  readonly boundary: (hasLower: boolean) => string;
  /** The batch itself, by key range: `[...upper, ...lower?]` → row count. */
  readonly update: (hasLower: boolean) => string;
  /** How many rows still match `where`, when the spec has one. */
  readonly remaining: string | undefined;
  /** The key column list, for messages: "(tenant, id)". */
  readonly keyText: string;
}

/** "users" or "app.users", each part quoted as an identifier. */
export function quoteTable(table: string): string {
  return table.split('.').map(quoteIdent).join('.');
}

/**
 * Builds the keyset statements. Row comparisons such as `(a, b) > ($1, $2)`
 * are index conditions on a btree over (a, b), so both the boundary and the
 * UPDATE walk the key index; nothing ever uses OFFSET.
 */
export function buildBatchSql(spec: BackfillSpec, key: TableKey): BatchSql {
  const table = quoteTable(spec.table);
  const cols = key.columns.map(quoteIdent);
  const n = cols.length;
  const row = `(${cols.join(', ')})`;
  const params = (from: number): string => `(${cols.map((_, i) => `$${from + i}`).join(', ')})`;
  const asText = `ARRAY[${cols.map((c) => `${c}::text`).join(', ')}]`;
  const ascending = cols.join(', ');
  const descending = cols.map((c) => `${c} DESC`).join(', ');
  return {
    upperKey: `SELECT ${asText} AS key FROM ${table} ORDER BY ${descending} LIMIT 1`,
    boundary: (hasLower) => `
      SELECT count(*) OVER ()::int AS rows, ${asText} AS last_key
        FROM (SELECT ${ascending} FROM ${table}
               WHERE ${row} <= ${params(1)}${hasLower ? ` AND ${row} > ${params(n + 2)}` : ''}
               ORDER BY ${ascending} LIMIT $${n + 1}) AS batch
       ORDER BY ${descending} LIMIT 1`,
    update: (hasLower) => `
      UPDATE ${table} SET ${spec.set}
       WHERE ${row} <= ${params(1)}${hasLower ? ` AND ${row} > ${params(n + 1)}` : ''}${spec.where === undefined ? '' : ` AND (${spec.where}\n)`}`,
    remaining: spec.where === undefined ? undefined : `SELECT count(*) FROM ${table} WHERE ${spec.where}`,
    keyText: `(${key.columns.join(', ')})`,
  };
}
