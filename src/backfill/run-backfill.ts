import { quoteIdent, withTransaction, type Queryable, type StateStore } from '../state/index.js';
import type { BackfillSpec } from '../plan/index.js';
import { primaryKeyColumns } from './table-key.js';

export interface BackfillProgress {
  readonly migrationId: string;
  readonly table: string;
  readonly rowsDone: number;
  readonly batches: number;
  /** The planner's row estimate for the table, for a rough ETA. */
  readonly estimatedRows: number;
}

export interface BackfillOptions {
  readonly migrationId: string;
  readonly spec: BackfillSpec;
  readonly batchSize: number;
  readonly statementTimeoutMs: number;
  /** Checked between batches: when aborted, the backfill stops after the batch in flight. */
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((progress: BackfillProgress) => void) | undefined;
}

export type BackfillOutcome = { readonly kind: 'done'; readonly rowsDone: number } | { readonly kind: 'stopped'; readonly rowsDone: number };

/**
 * Keyset batches over the primary key, from the last checkpoint up to the
 * key that was the table's highest when the backfill started: rows inserted
 * later are the dual-write trigger's job, and chasing them might never end.
 * Each batch's UPDATE and its checkpoint commit in one transaction, so a
 * crash loses at most the batch in flight and no row is updated twice.
 */
export async function runBackfill(db: Queryable, store: StateStore, options: BackfillOptions): Promise<BackfillOutcome> {
  const { migrationId, spec } = options;
  const table = quoteTable(spec.table);
  const keys = await primaryKeyColumns(db, spec.table);
  const keyList = keys.map(quoteIdent);
  const keyText = `ARRAY[${keyList.map((k) => `${k}::text`).join(', ')}]`;
  const desc = keyList.map((k) => `${k} DESC`).join(', ');

  let checkpoint = await store.backfillCheckpoint(migrationId);
  if (checkpoint === undefined) {
    const { rows } = await db.query<{ key: string[] }>(`SELECT ${keyText} AS key FROM ${table} ORDER BY ${desc} LIMIT 1`);
    await store.startBackfill(migrationId, rows[0]?.key ?? null);
    checkpoint = await store.backfillCheckpoint(migrationId);
  }
  const upperKey = checkpoint?.upperKey ?? null;
  let lastKey = checkpoint?.lastKey ?? null;
  let rowsDone = checkpoint?.rowsDone ?? 0;
  let batches = checkpoint?.batches ?? 0;
  if (upperKey === null) {
    await store.finishBackfill(migrationId);
    return { kind: 'done', rowsDone };
  }
  const { rows: estimate } = await db.query<{ rows: number }>('SELECT greatest(reltuples, 0)::float8 AS rows FROM pg_class WHERE oid = to_regclass($1)', [spec.table]);
  const estimatedRows = Math.max(estimate[0]?.rows ?? 0, rowsDone);

  const n = keys.length;
  const tuple = (offset: number): string => `(${keys.map((_, i) => `$${offset + i}`).join(', ')})`;
  const batchAlias = keys.map((_, i) => quoteIdent(`pg_k${i}`));
  const batchSql = (first: boolean): string => `
    WITH batch AS (
      SELECT ${keyList.map((k, i) => `${k} AS ${batchAlias[i]}`).join(', ')} FROM ${table}
       WHERE (${keyList.join(', ')}) <= ${tuple(1)}${first ? '' : ` AND (${keyList.join(', ')}) > ${tuple(n + 2)}`}
       ORDER BY ${keyList.join(', ')}
       LIMIT $${n + 1}
    ), updated AS (
      UPDATE ${table} AS t SET ${spec.set}
        FROM batch
       WHERE (${keyList.map((k) => `t.${k}`).join(', ')}) = (${batchAlias.map((a) => `batch.${a}`).join(', ')})
         ${spec.where === undefined ? '' : `AND (${spec.where})`}
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM updated)::int AS updated,
           (SELECT ARRAY[${batchAlias.map((a) => `${a}::text`).join(', ')}] FROM batch ORDER BY ${batchAlias.map((a) => `${a} DESC`).join(', ')} LIMIT 1) AS last_key`;

  while (options.signal?.aborted !== true) {
    const params = lastKey === null ? [...upperKey, options.batchSize] : [...upperKey, options.batchSize, ...lastKey];
    const batch = await withTransaction(db, async () => {
      await db.query(`SELECT set_config('statement_timeout', $1, true)`, [`${options.statementTimeoutMs}ms`]);
      const { rows } = await db.query<{ updated: number; last_key: string[] | null }>(batchSql(lastKey === null), params);
      const row = rows[0];
      if (row?.last_key !== null && row?.last_key !== undefined) await store.advanceBackfill(migrationId, row.last_key, row.updated);
      return row;
    });
    if (batch?.last_key === null || batch?.last_key === undefined) {
      await store.finishBackfill(migrationId);
      return { kind: 'done', rowsDone };
    }
    lastKey = batch.last_key;
    rowsDone += batch.updated;
    batches += 1;
    options.onProgress?.({ migrationId, table: spec.table, rowsDone, batches, estimatedRows });
  }
  return { kind: 'stopped', rowsDone };
}

/** "users" or "app.users", each part quoted as an identifier. */
function quoteTable(table: string): string {
  return table.split('.').map(quoteIdent).join('.');
}
