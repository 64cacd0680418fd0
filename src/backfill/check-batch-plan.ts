import { PhasegateError } from '../errors.js';
import type { Queryable } from '../pg/index.js';
import type { BatchSql } from './batch-sql.js';

/** Below this many rows a sequential scan plus sort is cheap, and the planner rightly prefers it. */
const SMALL_TABLE_ROWS = 10_000;

const INDEX_NODES: ReadonlySet<string> = new Set(['Index Scan', 'Index Only Scan']);

/**
 * Refuses to start when the batch boundary would not be found by walking the
 * key index: every batch would then read the whole table. Checked once,
 * before the first batch, with the first batch's real parameters.
 */
export async function checkBatchPlan(db: Queryable, sql: BatchSql, upperKey: readonly string[], size: number, estimatedRows: number, table: string): Promise<void> {
  if (estimatedRows < SMALL_TABLE_ROWS) return;
  const { rows } = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql.fullBatchEnd(false)}`, [...upperKey, size]);
  const plan = rows[0]?.['QUERY PLAN'];
  if (nodeTypes(plan).some((type) => INDEX_NODES.has(type))) return;
  throw new PhasegateError('REFUSED', `the backfill of ${table} would not walk its key ${sql.keyText} by an index scan; each batch would read the whole table`, {
    hint: 'check that the key index is valid and the table analyzed (ANALYZE), then run advance again',
  });
}

function nodeTypes(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(nodeTypes);
  if (node === null || typeof node !== 'object') return [];
  const own = 'Node Type' in node && typeof node['Node Type'] === 'string' ? [node['Node Type']] : [];
  return [...own, ...Object.values(node).flatMap((v) => (typeof v === 'object' ? nodeTypes(v) : []))];
}
