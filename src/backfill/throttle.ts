import { assertNever } from '../errors.js';
import { formatDuration } from '../plan/index.js';
import { setLocalTimeouts } from '../pg/index.js';
import { withTransaction, type Queryable } from '../state/index.js';
import type { BackfillSettings } from './settings.js';

/** Why a backfill is waiting instead of running its next batch. */
export type Throttle =
  | { readonly kind: 'paused'; readonly by: string | null }
  | { readonly kind: 'replicationLag'; readonly standby: string; readonly lagMs: number; readonly limitMs: number }
  | { readonly kind: 'longTransaction'; readonly pid: number; readonly application: string; readonly ageMs: number; readonly limitMs: number }
  | { readonly kind: 'healthQuery'; readonly detail: string };

/** One line for logs, progress and `status`. */
export function describeThrottle(throttle: Throttle): string {
  switch (throttle.kind) {
    case 'paused':
      return `paused${throttle.by === null ? '' : ` by ${throttle.by}`} (migrate resume <id> continues)`;
    case 'replicationLag':
      return `replication lag ${formatDuration(throttle.lagMs)} on ${throttle.standby} exceeds ${formatDuration(throttle.limitMs)}`;
    case 'longTransaction':
      return `transaction of pid ${throttle.pid}${throttle.application === '' ? '' : ` (${throttle.application})`} open for ${formatDuration(throttle.ageMs)}, longer than ${formatDuration(throttle.limitMs)}`;
    case 'healthQuery':
      return `health query: ${throttle.detail}`;
    default:
      return assertNever(throttle);
  }
}

/** A health check must never hang the backfill itself. */
const CHECK_TIMEOUT_MS = 5_000;

/**
 * Checks the database's health in order: replication lag, long
 * transactions, the custom query. The first problem found is the answer;
 * undefined means go on. A failing health query reads as unhealthy, so a
 * broken monitoring view slows the backfill down instead of killing it.
 */
export async function checkHealth(db: Queryable, settings: BackfillSettings): Promise<Throttle | undefined> {
  if (settings.maxReplicationLagMs !== undefined) {
    const limitMs = settings.maxReplicationLagMs;
    // replay_lag is NULL for an idle standby and for roles without pg_monitor: both read as no lag.
    const { rows } = await db.query<{ standby: string; lag_ms: number }>(
      `SELECT coalesce(application_name, client_addr::text, pid::text) AS standby,
              extract(epoch FROM replay_lag)::float8 * 1000 AS lag_ms
         FROM pg_stat_replication WHERE replay_lag IS NOT NULL ORDER BY replay_lag DESC LIMIT 1`,
    );
    const worst = rows[0];
    if (worst !== undefined && worst.lag_ms > limitMs) return { kind: 'replicationLag', standby: worst.standby, lagMs: worst.lag_ms, limitMs };
  }
  if (settings.maxTransactionAgeMs !== undefined) {
    const limitMs = settings.maxTransactionAgeMs;
    // Only this database: a transaction holds back vacuum of our table's dead
    // rows only from within the same database.
    const { rows } = await db.query<{ pid: number; application: string; age_ms: number }>(
      `SELECT pid, application_name AS application, extract(epoch FROM clock_timestamp() - xact_start)::float8 * 1000 AS age_ms
         FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
          AND backend_type = 'client backend'
        ORDER BY xact_start LIMIT 1`,
    );
    const oldest = rows[0];
    if (oldest !== undefined && oldest.age_ms > limitMs) {
      return { kind: 'longTransaction', pid: oldest.pid, application: oldest.application, ageMs: oldest.age_ms, limitMs };
    }
  }
  if (settings.healthQuery !== undefined) {
    const result = await runHealthQuery(db, settings.healthQuery);
    if (result.kind !== 'healthy') return { kind: 'healthQuery', detail: result.detail };
  }
  return undefined;
}

/** What a health query said: healthy, unhealthy (it returned something else than true), or it failed. */
export type HealthResult =
  | { readonly kind: 'healthy' }
  | { readonly kind: 'unhealthy'; readonly detail: string }
  | { readonly kind: 'failed'; readonly detail: string };

/** Runs the custom health query read-only under a short statement timeout. */
export async function runHealthQuery(db: Queryable, query: string): Promise<HealthResult> {
  try {
    const value = await withTransaction(db, async () => {
      await db.query('SET TRANSACTION READ ONLY');
      await setLocalTimeouts(db, { statementTimeoutMs: CHECK_TIMEOUT_MS });
      const { rows } = await db.query(query);
      return rows[0] === undefined ? undefined : Object.values(rows[0])[0];
    });
    return value === true ? { kind: 'healthy' } : { kind: 'unhealthy', detail: `returned ${JSON.stringify(value) ?? 'no row'}` };
  } catch (error) {
    return { kind: 'failed', detail: `failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * How long to wait after a batch: the sleep fraction of its duration, or
 * longer if the rate limit needs it (measured from the batch's start, so the
 * batch's own time counts toward the interval).
 */
export function pacingDelayMs(settings: BackfillSettings, rowsScanned: number, batchMs: number): number {
  const nice = settings.sleepFraction * batchMs;
  const rate = settings.maxRowsPerSecond === undefined ? 0 : (rowsScanned / settings.maxRowsPerSecond) * 1000 - batchMs;
  return Math.max(0, nice, rate);
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted === true) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
