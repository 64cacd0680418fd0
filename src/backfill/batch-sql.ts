import type { BackfillSpec } from '../plan/index.js';
import type { BatchKey } from '../pg/index.js';
import { quoteIdent } from '../state/index.js';

/**
 * The statements of one backfill, built once. Keys travel as text arrays in
 * key order, printed under pinExactKeyText so they parse back exactly, and
 * bind as `$n::<column type>`.
 */
export interface BatchSql {
  /** The highest key now: `[]` → `{ key }`. */
  readonly upperKey: string;
  /**
   * The end of the next batch: at most `limit` keys after `lower` (exclusive)
   * and up to `upper`, walked in index order. `[...upper, limit, ...lower?]` →
   * `{ rows, last_key, advanced }`; `advanced` is whether `last_key`, read back
   * from its text, lies past `lower`.
   */
  readonly boundary: (hasLower: boolean) => string;
  /**
   * The end of a full batch: the key `limit` keys after `lower`, the same
   * walk without counting or sorting the batch's keys; no row when fewer
   * keys are left before `upper` (then `boundary` finds the last batch's
   * end). `[...upper, limit, ...lower?]` → `{ last_key, advanced }`.
   */
  readonly fullBatchEnd: (hasLower: boolean) => string;
  /** The batch itself, by key range: `[...upper, ...lower?]` → row count. */
  readonly update: (hasLower: boolean) => string;
  /** How many rows still match `where`, when the spec has one. */
  readonly remaining: string | undefined;
  /** The key column list, for messages: "(tenant, id)". */
  readonly keyText: string;
  /**
   * Whether a batch may be a range of key values instead of a walked one
   * (see valueRangeEnd): the key is one integer column, so `size` values
   * after a key hold at most `size` rows, and there is no `where`, so the
   * UPDATE's row count is the number of rows the range held, which tells
   * whether the keys are still dense enough for it.
   */
  readonly byValue: boolean;
}

/** Key types whose values print as plain integers, so that a range end is computed exactly. */
const INTEGER_TYPES: ReadonlySet<string> = new Set(['smallint', 'integer', 'bigint']);

/**
 * Builds the keyset statements over a table resolved by the catalog (`table`
 * is its quoted name). Row comparisons such as `(a, b) > ($1, $2)` are index
 * conditions on a btree over (a, b), so both the boundary and the UPDATE walk
 * the key index. The only OFFSET is the one batch's length within that walk,
 * never a position in the table.
 */
export function buildBatchSql(spec: BackfillSpec, table: string, key: BatchKey): BatchSql {
  const cols = key.columns.map((c) => quoteIdent(c.name));
  const n = cols.length;
  const row = `(${cols.join(', ')})`;
  const params = (from: number): string => `(${key.columns.map((c, i) => `$${from + i}::${c.type}`).join(', ')})`;
  const asText = `ARRAY[${cols.map((c) => `${c}::text`).join(', ')}]`;
  const reparsed = `(${key.columns.map((c) => `${quoteIdent(c.name)}::text::${c.type}`).join(', ')})`;
  const ascending = cols.join(', ');
  const descending = cols.map((c) => `${c} DESC`).join(', ');
  return {
    upperKey: `SELECT ${asText} AS key FROM ${table} ORDER BY ${descending} LIMIT 1`,
    boundary: (hasLower) => `
      SELECT count(*) OVER ()::int AS rows, ${asText} AS last_key, ${hasLower ? `${reparsed} > ${params(n + 2)}` : 'true'} AS advanced
        FROM (SELECT ${ascending} FROM ${table}
               WHERE ${row} <= ${params(1)}${hasLower ? ` AND ${row} > ${params(n + 2)}` : ''}
               ORDER BY ${ascending} LIMIT $${n + 1}) AS batch
       ORDER BY ${descending} LIMIT 1`,
    // The walk reads only the key columns (an index-only scan); the one row it stops at is printed and compared.
    fullBatchEnd: (hasLower) => `
      SELECT ${asText} AS last_key, ${hasLower ? `${reparsed} > ${params(n + 2)}` : 'true'} AS advanced
        FROM (SELECT ${ascending} FROM ${table}
               WHERE ${row} <= ${params(1)}${hasLower ? ` AND ${row} > ${params(n + 2)}` : ''}
               ORDER BY ${ascending} OFFSET ($${n + 1}::bigint - 1) LIMIT 1) AS batch_end`,
    update: (hasLower) => batchUpdate(spec, table, `${row} <= ${params(1)}${hasLower ? ` AND ${row} > ${params(n + 1)}` : ''}`),
    remaining: spec.where === undefined ? undefined : `SELECT count(*) FROM ${table} WHERE ${spec.where}`,
    keyText: `(${key.columns.map((c) => c.name).join(', ')})`,
    byValue: spec.where === undefined && key.columns.length === 1 && INTEGER_TYPES.has(key.columns[0]?.type ?? ''),
  };
}

/**
 * The end of a batch of `size` key values after `lower`, not past `upper`;
 * undefined when the pass has no value left. On a unique integer key the
 * range holds at most `size` rows, so it needs no walk of the index to bound
 * it. Keys are integer text; BigInt keeps bigint values exact.
 */
export function valueRangeEnd(lower: string, size: number, upper: string): string | undefined {
  const from = BigInt(lower);
  const to = BigInt(upper);
  if (from >= to) return undefined;
  const end = from + BigInt(size);
  return (end < to ? end : to).toString();
}

/** How many key values a range (lower, end] of integer keys spans. */
export function valueSpan(lower: string, end: string): number {
  return Number(BigInt(end) - BigInt(lower));
}

/**
 * Whether ranges of values still suit the keys: while a range holds at least
 * half as many rows as it spans values. Sparser keys (gaps, ids spread by
 * design) would make value ranges nearly empty, so batches walk the index.
 */
export function denseKeys(rows: number, span: number): boolean {
  return rows * 2 >= span;
}

/**
 * The batch UPDATE: the only place `set` and `where` are put into SQL, so
 * how they are embedded is decided here once (the engine and the plan
 * report both show and run this text).
 */
export function batchUpdate(spec: BackfillSpec, table: string, keyRange: string): string {
  // A `where` ending in a line comment would swallow the closing parenthesis: close it on a new line then.
  const where = spec.where === undefined ? '' : ` AND (${spec.where}${spec.where.includes('--') ? '\n' : ''})`;
  return `UPDATE ${table} SET ${spec.set}\n WHERE ${keyRange}${where}`;
}
