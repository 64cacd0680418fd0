import { assertNever } from '../errors.js';
import { formatDuration } from '../plan/index.js';
import { preparedQuery, readOnlyValue } from '../pg/index.js';
import type { Queryable } from '../state/index.js';
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
  const { maxReplicationLagMs, maxTransactionAgeMs } = settings;
  if (maxReplicationLagMs !== undefined || maxTransactionAgeMs !== undefined) {
    // Both in one round trip; a check that is off reads no view ($1, $2 false).
    // replay_lag is NULL for an idle standby and for roles without pg_monitor: both read as no lag.
    // Transactions only in this database: only they hold back vacuum of our table's dead rows.
    const { rows } = await db.query<{ standby: string | null; lag_ms: number | null; pid: number | null; application: string | null; age_ms: number | null }>(
      preparedQuery(
        'health_check',
        `SELECT lag.standby, lag.lag_ms, tx.pid, tx.application, tx.age_ms
         FROM (SELECT) AS one
         LEFT JOIN LATERAL (
               SELECT coalesce(application_name, client_addr::text, pid::text) AS standby,
                      extract(epoch FROM replay_lag)::float8 * 1000 AS lag_ms
                 FROM pg_stat_replication WHERE $1 AND replay_lag IS NOT NULL ORDER BY replay_lag DESC LIMIT 1) AS lag ON true
         LEFT JOIN LATERAL (
               SELECT pid, application_name AS application, extract(epoch FROM clock_timestamp() - xact_start)::float8 * 1000 AS age_ms
                 FROM pg_stat_activity
                WHERE $2 AND datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
                  AND backend_type = 'client backend'
                ORDER BY xact_start LIMIT 1) AS tx ON true`,
        [maxReplicationLagMs !== undefined, maxTransactionAgeMs !== undefined],
      ),
    );
    const { standby = null, lag_ms = null, pid = null, application = null, age_ms = null } = rows[0] ?? {};
    if (maxReplicationLagMs !== undefined && standby !== null && lag_ms !== null && lag_ms > maxReplicationLagMs) {
      return { kind: 'replicationLag', standby, lagMs: lag_ms, limitMs: maxReplicationLagMs };
    }
    if (maxTransactionAgeMs !== undefined && pid !== null && age_ms !== null && age_ms > maxTransactionAgeMs) {
      return { kind: 'longTransaction', pid, application: application ?? '', ageMs: age_ms, limitMs: maxTransactionAgeMs };
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

/** Runs the custom health query read-only, as one statement, under short timeouts. */
export async function runHealthQuery(db: Queryable, query: string): Promise<HealthResult> {
  try {
    const value = await readOnlyValue(db, query, { lockTimeoutMs: CHECK_TIMEOUT_MS, statementTimeoutMs: CHECK_TIMEOUT_MS });
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
