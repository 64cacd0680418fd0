import { PhasegateError } from '../errors.js';
import type { BackfillSpec } from '../plan/index.js';
import {
  batchKeyFor,
  EXACT_KEY_TEXT,
  lookupRelationName,
  relationSizes,
  withSessionTimeouts,
  type ResolvedRelation,
} from '../pg/index.js';
import type { BackfillRecord, BackfillStore, Queryable } from '../state/index.js';
import { buildBatchSql, type BatchSql } from './batch-sql.js';
import { checkBatchPlan } from './check-batch-plan.js';
import { countRows } from './count-rows.js';
import { etaMs, smoothRate, throttledRate, type BackfillActivity, type BackfillProgress } from './progress.js';
import { runBatch, type BatchContext, type BatchErrorKind } from './run-batch.js';
import { resolveBackfillSettings, type BackfillDefaults, type BackfillSettings } from './settings.js';
import { checkHealth, describeThrottle, pacingDelayMs, runHealthQuery, sleep, type Throttle } from './throttle.js';

export interface BackfillOptions {
  readonly migrationId: string;
  readonly spec: BackfillSpec;
  /** The config's backfill section and timeouts; the spec's own keys win. */
  readonly defaults: BackfillDefaults;
  /** The phase's verify query; when absent, one is derived from `where` (none without `where`). */
  readonly verifyQuery: string | undefined;
  /** Sorts a failed batch's error (execute/pg-errors.ts owns SQLSTATEs). */
  readonly classifyError: (error: unknown) => BatchErrorKind;
  /** One line for people, with the SQLSTATE. */
  readonly describeError: (error: unknown) => string;
  /** Jitter for retry pauses. */
  readonly random: () => number;
  /** Checked between batches and while waiting: when aborted, the backfill stops after the batch in flight. */
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((progress: BackfillProgress) => void) | undefined;
}

/** 'stopped': aborted between batches (signal, time budget); the checkpoint holds and the next run continues. */
export type BackfillOutcome =
  | { readonly kind: 'done'; readonly rowsDone: number; readonly passes: number; readonly verifiedBy: string | undefined }
  | { readonly kind: 'stopped'; readonly rowsDone: number };

/** The mutable part of a run, mirrored in the checkpoint after every batch. */
interface RunState {
  upperKey: readonly string[] | null;
  lastKey: readonly string[] | null;
  rowsDone: number;
  rowsScanned: number;
  estimatedRows: number;
  batches: number;
  batchSize: number;
  lastBatchMs: number | null;
  rowsPerSecond: number | null;
  pass: number;
  /** Whether the next batch may be a range of key values (BatchSql.byValue); not kept across runs. */
  byValue: boolean;
}

/**
 * The backfill engine. Keyset batches over the table's key, from the last
 * checkpoint up to the key that was highest when the pass started: rows
 * inserted later are the dual-write trigger's job, and chasing them might
 * never end. Each batch and its checkpoint commit together, so a crash loses
 * at most the batch in flight and no row is updated twice. On one integer
 * key with no `where`, a batch is a range of key values while the keys are
 * dense, which spares it the walk of the index. Batch size adapts to a
 * target duration; throttles and `migrate pause` hold it between
 * batches; at the end a verification must count 0 rows, else another pass
 * runs (bounded) over the rows still matching `where`.
 */
export async function runBackfill(db: Queryable, store: BackfillStore, options: BackfillOptions): Promise<BackfillOutcome> {
  const { migrationId, spec, signal } = options;
  const settings = resolveBackfillSettings(spec, options.defaults);
  const table = await backfillTable(db, spec.table, migrationId);
  const sql = buildBatchSql(spec, table.quoted, await batchKeyFor(db, table));
  return withBatchSession(db, settings, () => runInBatchSession(db, store, options, settings, table, sql));
}

async function runInBatchSession(
  db: Queryable,
  store: BackfillStore,
  options: BackfillOptions,
  settings: BackfillSettings,
  table: ResolvedRelation,
  sql: BatchSql,
): Promise<BackfillOutcome> {
  const { migrationId, spec, signal } = options;
  const record = (await store.resume(migrationId)) ?? (await begin(db, store, sql, table, options, settings.initialBatchSize));
  const verifyQuery = options.verifyQuery ?? sql.remaining;
  if (record.finishedAt !== null) return { kind: 'done', rowsDone: record.rowsDone, passes: record.pass, verifiedBy: verifyQuery };
  await assertHealthQueryRuns(db, settings.healthQuery);
  const state = initialState(record, settings, sql.byValue);
  if (state.upperKey !== null && state.lastKey === null) await checkBatchPlan(db, sql, state.upperKey, state.batchSize, state.estimatedRows, spec.table);

  const report = (activity: BackfillActivity): void =>
    options.onProgress?.({
      migrationId, table: spec.table, rowsDone: state.rowsDone, rowsScanned: state.rowsScanned, batches: state.batches,
      estimatedRows: Math.max(state.estimatedRows, state.rowsScanned), batchSize: state.batchSize, lastBatchMs: state.lastBatchMs,
      rowsPerSecond: throttledRate(state.rowsPerSecond, settings.maxRowsPerSecond),
      etaMs: etaMs(state.estimatedRows, state.rowsScanned, throttledRate(state.rowsPerSecond, settings.maxRowsPerSecond)), pass: state.pass, activity,
    });
  const ctx: BatchContext = {
    db, store, migrationId, table: spec.table, sql, settings, signal,
    classifyError: options.classifyError, describeError: options.describeError, random: options.random,
  };
  // The shortest time the pause flag's read (one row by its key) took: what every statement's time includes for
  // the network, which is not a batch's work. It is read before the first batch.
  let roundTripMs: number | undefined;
  const holdReason = async (): Promise<Throttle | undefined> => {
    const asked = performance.now();
    const control = await store.control(migrationId);
    roundTripMs = Math.min(roundTripMs ?? Number.POSITIVE_INFINITY, performance.now() - asked);
    if (control?.paused === true) return { kind: 'paused', by: control.changedBy };
    return checkHealth(db, settings);
  };

  let checkDue = true; // pause and health are looked at before the first batch
  let lastCheck = performance.now();
  let clock = performance.now();
  for (;;) {
    if (signal?.aborted === true) return { kind: 'stopped', rowsDone: state.rowsDone };
    if (checkDue || performance.now() - lastCheck >= settings.throttleCheckIntervalMs) {
      if ((await waitWhileHeld(store, migrationId, holdReason, settings.throttleCheckIntervalMs, signal, report)) === 'stopped') {
        return { kind: 'stopped', rowsDone: state.rowsDone };
      }
      checkDue = false;
      lastCheck = performance.now();
      clock = Math.max(clock, lastCheck - settings.throttleCheckIntervalMs); // a wait is not slowness
    }
    const batch =
      state.upperKey === null
        ? ({ kind: 'end' } as const)
        : await runBatch(ctx, { upperKey: state.upperKey, lastKey: state.lastKey }, state.batchSize, { lastBatchMs: state.lastBatchMs, rowsPerSecond: state.rowsPerSecond, roundTripMs: roundTripMs ?? 0 }, state.byValue);
    if (batch.kind === 'end') {
      if (verifyQuery === undefined || (await verifyPass(db, store, sql, table, options, state, verifyQuery, settings.verifyPasses, report)) === 'verified') {
        await store.finish(migrationId);
        report({ kind: 'done' });
        return { kind: 'done', rowsDone: state.rowsDone, passes: state.pass, verifiedBy: verifyQuery };
      }
      continue;
    }
    const now = performance.now();
    Object.assign(state, {
      lastKey: batch.lastKey, rowsDone: state.rowsDone + batch.rowsDone, rowsScanned: state.rowsScanned + batch.rowsScanned,
      batches: state.batches + 1, batchSize: batch.nextSize, lastBatchMs: batch.batchMs, byValue: batch.byValue,
      rowsPerSecond: smoothRate(state.rowsPerSecond, batch.rowsScanned, now - clock),
    });
    clock = now;
    report({ kind: 'running' });
    checkDue = batch.paused;
    await sleep(pacingDelayMs(settings, batch.rowsScanned, batch.batchMs), signal);
  }
}

/**
 * The batches' settings, set once on the session for the whole backfill
 * (the upper key's read, the plan check and the loop) rather than around
 * every batch (two round trips per batch): the backfill's
 * timeouts, key text that parses back exactly, and asynchronous commit. A
 * batch and its checkpoint commit together, and PostgreSQL recovers a
 * prefix of the WAL, so a server crash can lose only the last batches
 * together with their checkpoints, and the next run redoes exactly those.
 * A batch then does not wait on its WAL flush, which is slow where a commit
 * waits for a network disk or a synchronous standby (on a local disk the
 * flush work only moves into the next UPDATE). The runner's next
 * synchronous commit (the step's record) makes every batch durable before
 * the phase counts as done.
 */
function withBatchSession<T>(db: Queryable, settings: BackfillSettings, work: () => Promise<T>): Promise<T> {
  return withSessionTimeouts(db, settings, work, { ...EXACT_KEY_TEXT, synchronous_commit: 'off' });
}

/**
 * Waits while the backfill is paused or the database unhealthy, saying why
 * in the state store (for `status`) and in progress (for logs), and looking
 * again every interval. 'stopped' when the signal aborts meanwhile.
 */
async function waitWhileHeld(
  store: BackfillStore,
  migrationId: string,
  holdReason: () => Promise<Throttle | undefined>,
  intervalMs: number,
  signal: AbortSignal | undefined,
  report: (activity: BackfillActivity) => void,
): Promise<'go' | 'stopped'> {
  let reported: Throttle['kind'] | undefined;
  for (;;) {
    const throttle = await holdReason();
    if (throttle === undefined) {
      if (reported !== undefined) {
        await store.setThrottle(migrationId, null);
        await store.recordEvent('backfillGoing', migrationId, {});
        report({ kind: 'running' });
      }
      return 'go';
    }
    const reason = describeThrottle(throttle);
    await store.setThrottle(migrationId, reason);
    if (throttle.kind !== reported) {
      await store.recordEvent('backfillWaiting', migrationId, { throttle: throttle.kind, reason });
      report({ kind: 'waiting', throttle, reason });
    }
    reported = throttle.kind;
    await sleep(intervalMs, signal);
    if (signal?.aborted === true) {
      // The runner leaves: a throttle it no longer waits on would mislead `status` (a pause still shows from its flag).
      await store.setThrottle(migrationId, null);
      return 'stopped';
    }
  }
}

/**
 * After the last batch of a pass: the verification must count 0. Otherwise,
 * when `where` can tell which rows still need the change, another pass runs
 * up to a fresh upper key; without `where` a second pass would apply `set`
 * twice to every other row, so it fails at once.
 */
async function verifyPass(
  db: Queryable,
  store: BackfillStore,
  sql: BatchSql,
  table: ResolvedRelation,
  options: BackfillOptions,
  state: RunState,
  query: string,
  maxPasses: number,
  report: (activity: BackfillActivity) => void,
): Promise<'verified' | 'again'> {
  const { migrationId, spec } = options;
  report({ kind: 'verifying', query });
  const count = await countRows(db, query, options.defaults, `${migrationId} backfill verify`, options.describeError);
  if (count === 0) return 'verified';
  if (spec.where === undefined || state.pass >= maxPasses) {
    const why = spec.where === undefined ? 'the backfill has no `where` to find the rows that still need it' : `after ${state.pass} pass(es) over ${spec.table}`;
    throw new PhasegateError('VERIFY_FAILED', `${migrationId} backfill verify returned ${count} (expected 0): ${why}`, {
      hint: 'look at the rows the verify query counts (a dual-write trigger missing, or a set that cannot fix them), fix the cause, then run advance again',
    });
  }
  const upperKey = await currentUpperKey(db, sql);
  const estimatedRows = state.rowsScanned + (await estimateRows(db, table));
  await store.startPass(migrationId, upperKey, estimatedRows);
  Object.assign(state, { pass: state.pass + 1, upperKey, lastKey: null, estimatedRows });
  return 'again';
}

async function begin(db: Queryable, store: BackfillStore, sql: BatchSql, table: ResolvedRelation, options: BackfillOptions, batchSize: number): Promise<BackfillRecord> {
  const record =
    (await store.start(options.migrationId, await currentUpperKey(db, sql), await estimateRows(db, table), batchSize)) ?? (await store.record(options.migrationId));
  if (record === undefined) throw new Error(`backfill record of ${options.migrationId} vanished right after it was written`);
  return record;
}

function initialState(record: BackfillRecord, settings: { minBatchSize: number; maxBatchSize: number; initialBatchSize: number }, byValue: boolean): RunState {
  return {
    upperKey: record.upperKey,
    lastKey: record.lastKey,
    rowsDone: record.rowsDone,
    rowsScanned: record.rowsScanned,
    estimatedRows: record.estimatedRows,
    batches: record.batches,
    // A resumed backfill keeps its adapted size, within today's bounds.
    batchSize: Math.min(settings.maxBatchSize, Math.max(settings.minBatchSize, record.batchSize ?? settings.initialBatchSize)),
    lastBatchMs: record.lastBatchMs,
    rowsPerSecond: record.rowsPerSecond,
    pass: record.pass,
    byValue,
  };
}

/** The table named by the spec, found once; every later statement uses its quoted name. */
async function backfillTable(db: Queryable, text: string, migrationId: string): Promise<ResolvedRelation> {
  const { relation } = await lookupRelationName(db, text, `${migrationId} backfill.table`);
  if (relation === null) {
    throw new PhasegateError('INVALID_MIGRATION', `${migrationId} backfill.table: table ${JSON.stringify(text)} does not exist`, {
      hint: 'check backfill.table (written as in SQL: users, app.users, "Users"); create the table in an earlier phase or migration',
    });
  }
  return relation;
}

/** In the batch session: its key text parses back exactly. */
async function currentUpperKey(db: Queryable, sql: BatchSql): Promise<readonly string[] | null> {
  const { rows } = await db.query<{ key: string[] }>(sql.upperKey);
  return rows[0]?.key ?? null;
}

/** The planner's estimate: free, and good enough for an ETA. Never analyzed reads as 0. */
async function estimateRows(db: Queryable, table: ResolvedRelation): Promise<number> {
  return (await relationSizes(db, [table.oid])).get(table.oid)?.rows ?? 0;
}

/** A health query that cannot run at all is a mistake in the migration or config, not a throttle. */
async function assertHealthQueryRuns(db: Queryable, query: string | undefined): Promise<void> {
  if (query === undefined) return;
  const result = await runHealthQuery(db, query);
  if (result.kind === 'failed') {
    throw new PhasegateError('STEP_FAILED', `backfill health query ${result.detail}`, {
      hint: 'the health query must be a SELECT returning one boolean, true when the database is healthy',
    });
  }
}
