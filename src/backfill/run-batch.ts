import { PhasegateError } from '../errors.js';
import type { BackfillStore, Queryable } from '../state/index.js';
import { nextBatchSize } from './adaptive-size.js';
import { denseKeys, valueRangeEnd, valueSpan, type BatchSql } from './batch-sql.js';
import type { BackfillSettings } from './settings.js';
import { sleep } from './throttle.js';

/**
 * How a failed batch is handled: a statement timeout is retried at half the
 * size, a lock timeout or deadlock at the same size after a pause, a lost
 * connection or anything else fails the backfill. The caller classifies
 * (execute/pg-errors.ts).
 */
export type BatchErrorKind = 'statementTimeout' | 'retryable' | 'connectionLost' | 'fatal';

/** What the engine needs to run batches besides the SQL. */
export interface BatchContext {
  /** A session in runBackfill's batch settings (timeouts, exact key text, asynchronous commit). */
  readonly db: Queryable;
  readonly store: BackfillStore;
  readonly migrationId: string;
  readonly table: string;
  readonly sql: BatchSql;
  readonly settings: BackfillSettings;
  readonly classifyError: (error: unknown) => BatchErrorKind;
  readonly describeError: (error: unknown) => string;
  readonly random: () => number;
  readonly signal: AbortSignal | undefined;
}

/** Where the pass stands: batches go from after `lastKey` up to `upperKey`. */
export interface Cursor {
  readonly upperKey: readonly string[];
  readonly lastKey: readonly string[] | null;
}

/** What the runner measured before a batch: the checkpoint records the pacing; the round trip is taken off the batch's time. */
export interface BatchPacing {
  readonly lastBatchMs: number | null;
  readonly rowsPerSecond: number | null;
  /** What any statement's time on this session includes for the network (0 on the same host). */
  readonly roundTripMs: number;
}

/** One committed batch; `end` when no key was left in the pass. */
export type BatchResult =
  | { readonly kind: 'end' }
  | {
      readonly kind: 'batch';
      readonly lastKey: readonly string[];
      readonly rowsScanned: number;
      readonly rowsDone: number;
      /**
       * Its time on the server: from sending it to its commit, less its round
       * trips (the walk that bounded it is not part of it).
       */
      readonly batchMs: number;
      readonly nextSize: number;
      /** `migrate pause` was set when the batch committed (read in its statement). */
      readonly paused: boolean;
      /** Whether the next batch may be a range of key values (BatchSql.byValue), as far as this one could tell. */
      readonly byValue: boolean;
    };

/**
 * A batch's key range before its UPDATE: walked (its row count known) or a
 * range of `span` key values (at most that many rows, counted by the UPDATE).
 */
type BatchRange =
  | { readonly kind: 'walked'; readonly lastKey: readonly string[]; readonly rows: number }
  | { readonly kind: 'values'; readonly lastKey: readonly string[]; readonly span: number };

/**
 * Runs one batch: bounds it (by key values when `byValue`, else by an index
 * walk), then updates the key range and moves the checkpoint in one
 * statement (BackfillStore.commitBatch), so a crash anywhere leaves either
 * the whole batch with its checkpoint or neither. The walk runs before it:
 * the UPDATE's key range, not what the walk saw, decides which rows the
 * batch holds (each statement reads its own snapshot under READ COMMITTED in
 * any case). Sizes adapt to the batch's time on the server, so that a
 * runner far from it (another zone or region) still cuts batches of the
 * target duration.
 */
export async function runBatch(ctx: BatchContext, cursor: Cursor, size: number, pacing: BatchPacing, byValue: boolean): Promise<BatchResult> {
  const { sql, settings } = ctx;
  let attemptSize = size;
  for (let failures = 0; ; ) {
    let range: BatchRange | undefined;
    try {
      range = byValue && cursor.lastKey !== null ? valueRange(cursor.lastKey, attemptSize, cursor.upperKey) : await walkRange(ctx, cursor, attemptSize);
      if (range === undefined) return { kind: 'end' };
      const update = { sql: sql.update(cursor.lastKey !== null), params: [...range.lastKey, ...(cursor.lastKey ?? [])] };
      const walked = range.kind === 'walked' ? range.rows : null;
      const started = performance.now();
      const { lastBatchMs, rowsPerSecond } = pacing;
      const checkpoint = { lastKey: range.lastKey, rowsScanned: walked, batchSize: attemptSize, lastBatchMs, rowsPerSecond };
      const done = await ctx.store.commitBatch(ctx.migrationId, update, checkpoint);
      const batchMs = Math.max(0, performance.now() - started - done.roundTrips * pacing.roundTripMs);
      // A range of values held as many rows as the UPDATE met (there is no `where`).
      const rowsScanned = walked ?? done.rowsDone;
      return {
        kind: 'batch',
        lastKey: range.lastKey,
        rowsScanned,
        rowsDone: done.rowsDone,
        batchMs,
        // Sizes are in the unit the batch was cut in: rows walked, or key values spanned.
        nextSize: nextBatchSize(attemptSize, range.kind === 'walked' ? range.rows : range.span, batchMs, settings),
        paused: done.paused,
        byValue: nextByValue(sql.byValue, byValue, cursor, range, rowsScanned),
      };
    } catch (error) {
      if (error instanceof PhasegateError) throw error;
      failures += 1;
      const kind = ctx.classifyError(error);
      if (kind === 'fatal' || kind === 'connectionLost' || failures >= settings.maxBatchFailures) {
        throw batchError(ctx, cursor, range, attemptSize, failures, kind === 'connectionLost', error);
      }
      if (kind === 'statementTimeout') attemptSize = Math.max(1, Math.floor(attemptSize / 2));
      else await sleep(Math.min(5_000, 100 * 2 ** failures * (0.5 + ctx.random())), ctx.signal);
    }
  }
}

/** The next `size` key values; only for a one-column key (BatchSql.byValue), whose keys are single values. */
function valueRange(lastKey: readonly string[], size: number, upperKey: readonly string[]): BatchRange | undefined {
  const [lower, upper] = [lastKey[0], upperKey[0]];
  if (lower === undefined || upper === undefined) throw new Error('a range of key values needs a one-column key');
  const end = valueRangeEnd(lower, size, upper);
  return end === undefined ? undefined : { kind: 'values', lastKey: [end], span: valueSpan(lower, end) };
}

/** The end of the next `size` keys by an index walk; undefined when the pass has no key left. */
async function walkRange(ctx: BatchContext, cursor: Cursor, size: number): Promise<BatchRange | undefined> {
  const { db, sql } = ctx;
  const params = [...cursor.upperKey, size, ...(cursor.lastKey ?? [])];
  // Every batch but a pass's last is full: its end is found without counting its keys.
  const full = (await db.query<{ last_key: string[]; advanced: boolean }>(sql.fullBatchEnd(cursor.lastKey !== null), params)).rows[0];
  const boundary =
    full === undefined
      ? (await db.query<{ rows: number; last_key: string[]; advanced: boolean }>(sql.boundary(cursor.lastKey !== null), params)).rows[0]
      : { rows: size, ...full };
  if (boundary === undefined) return undefined;
  if (!boundary.advanced) throw noProgress(ctx, cursor, boundary.last_key);
  return { kind: 'walked', lastKey: boundary.last_key, rows: boundary.rows };
}

/**
 * Whether the next batch may be a range of values: never unless the key
 * allows it; after a range of values, whether it was dense; after a walk
 * from a known key, whether the walked keys were dense (a pass's first walk
 * has no start to measure from, and keeps what was decided before).
 */
function nextByValue(allowed: boolean, byValue: boolean, cursor: Cursor, range: BatchRange, rows: number): boolean {
  if (!allowed) return false;
  if (range.kind === 'values') return denseKeys(rows, range.span);
  const lower = cursor.lastKey?.[0];
  const end = range.lastKey[0];
  return lower === undefined || end === undefined ? byValue : denseKeys(rows, valueSpan(lower, end));
}

/**
 * A batch whose end key, read back, is not past its start would be cut again
 * and again from the same place: fail instead of looping, naming the key.
 */
function noProgress(ctx: BatchContext, cursor: Cursor, lastKey: readonly string[]): PhasegateError {
  return new PhasegateError(
    'STEP_FAILED',
    `${ctx.migrationId} backfill of ${ctx.table} made no progress: the batch after ${ctx.sql.keyText} = (${(cursor.lastKey ?? []).join(', ')}) ends at (${lastKey.join(', ')}), which is not past it; the key's text form does not read back as the same value`,
    { hint: 'batch on a key whose values print exactly (integers, text, uuid, timestamps): add a unique index on such columns in an earlier phase, then run advance again' },
  );
}

/** Names the batch's key range; a lost connection is not blamed on the batch's SQL. */
function batchError(
  ctx: BatchContext,
  cursor: Cursor,
  range: BatchRange | undefined,
  size: number,
  attempts: number,
  connectionLost: boolean,
  error: unknown,
): PhasegateError {
  const key = ctx.sql.keyText;
  const lower = cursor.lastKey === null ? '' : `${key} > (${cursor.lastKey.join(', ')}) and `;
  const upper =
    range === undefined
      ? `${key} <= (${cursor.upperKey.join(', ')}), the next ${size} rows`
      : `${key} <= (${range.lastKey.join(', ')}) (${range.kind === 'walked' ? `${range.rows} rows` : `at most ${range.span} rows`})`;
  if (connectionLost) {
    return new PhasegateError(
      'CONNECTION_FAILED',
      `${ctx.migrationId} backfill of ${ctx.table} stopped: the connection to the server was lost during the batch ${lower}${upper} (${ctx.describeError(error)}); that batch committed with its checkpoint or not at all, and every batch before it did`,
      { hint: 'check that the server is up and reachable (and whether someone ended the session), then run advance again: it resumes after the last batch that committed', cause: error },
    );
  }
  return new PhasegateError(
    'STEP_FAILED',
    `${ctx.migrationId} backfill of ${ctx.table} failed on the batch ${lower}${upper} after ${attempts} attempt(s): ${ctx.describeError(error)}`,
    {
      hint: 'fix the cause (a slow trigger, a lock held by the application, an error in set/where), then run advance again: it resumes at this batch',
      cause: error,
    },
  );
}
