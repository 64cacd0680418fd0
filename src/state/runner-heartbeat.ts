import { quoteIdent, readOne, type Queryable, type Read } from '../pg/index.js';

/**
 * The state table the lock holder beats in. One row per runner session;
 * the lock admits one at a time, so a row left by a killed runner is replaced
 * by the next one. A beat older than three intervals means the runner process
 * is frozen or gone even when its backend still holds the lock (SIGSTOP, or a
 * concurrent index build outliving a killed runner).
 */
export const runnerHeartbeatTable = (s: string): string => `
    CREATE TABLE ${s}.runner (
      backend_pid integer PRIMARY KEY,
      application_name text NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      beat_at timestamptz NOT NULL DEFAULT now(),
      interval_ms integer NOT NULL CHECK (interval_ms > 0)
    );`;

/** Beats missed before a runner counts as stalled. */
const MISSED_BEATS = 3;

/** The runner's last sign of life, as recorded. */
export interface RunnerBeat {
  readonly backendPid: number;
  readonly applicationName: string;
  readonly startedAt: Date;
  readonly beatAt: Date;
  /** The last beat, once three intervals passed without another; null while it beats. */
  readonly stalledSince: Date | null;
}

/** A heartbeat in flight; `stop` ends it and closes its connection. */
export interface Heartbeat {
  stop(): Promise<void>;
}

/** Its own connection: the runner's session may be inside one statement for hours (an index build). */
export interface HeartbeatConnection extends Queryable {
  end(): Promise<void>;
}

/** Records this session as the runner; call while holding the runner lock. Returns its backend pid. */
export async function recordRunner(db: Queryable, schema: string, intervalMs: number): Promise<number> {
  const s = quoteIdent(schema);
  // One statement: the other rows go and this one comes in together. The
  // two parts run in no set order, so a row left under this very pid (a pid
  // the server gave again) is taken over rather than deleted first.
  const { rows } = await db.query<{ pid: number }>(
    `WITH others AS (DELETE FROM ${s}.runner WHERE backend_pid <> pg_backend_pid())
     INSERT INTO ${s}.runner (backend_pid, application_name, interval_ms)
     VALUES (pg_backend_pid(), current_setting('application_name'), $1)
     ON CONFLICT (backend_pid) DO UPDATE
       SET application_name = excluded.application_name, started_at = now(), beat_at = now(), interval_ms = excluded.interval_ms
     RETURNING backend_pid AS pid`,
    [Math.max(1, Math.round(intervalMs))],
  );
  return rows[0]?.pid ?? 0;
}

/**
 * Beats every `intervalMs` for the runner `backendPid`, on a connection
 * opened at the first beat: a run shorter than one interval opens none
 * (its row, written at start, is still fresh). A beat that fails is skipped,
 * not fatal: a missed beat only makes `status` say stalled, which is the
 * truth while the server does not answer.
 */
export function startHeartbeat(open: () => Promise<HeartbeatConnection>, schema: string, backendPid: number, intervalMs: number): Heartbeat {
  const sql = `UPDATE ${quoteIdent(schema)}.runner SET beat_at = now() WHERE backend_pid = $1`;
  let connection: Promise<HeartbeatConnection> | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = inFlight
      .then(async () => {
        connection ??= open();
        await (await connection).query(sql, [backendPid]);
      })
      .catch(() => {
        connection = undefined;
      });
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      await (await connection?.catch(() => undefined))?.end();
    },
  };
}

/** The recorded runner, if any (none before the table exists). Reads only. */
export async function readRunnerBeat(db: Queryable, schema: string): Promise<RunnerBeat | undefined> {
  const { rows: exists } = await db.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [`${quoteIdent(schema)}.runner`]);
  return exists[0]?.exists === true ? readOne(db, runnerBeatRead(schema)) : undefined;
}

/** What `readRunnerBeat` reads, to send with other reads (readAll) where the runner table is known to exist. */
export function runnerBeatRead(schema: string): Read<RunnerBeat | undefined> {
  return {
    sql: `SELECT backend_pid, application_name, started_at, beat_at,
                 now() - beat_at > make_interval(secs => interval_ms * ${MISSED_BEATS} / 1000.0) AS stalled
            FROM ${quoteIdent(schema)}.runner ORDER BY beat_at DESC LIMIT 1`,
    map: (rows: readonly { backend_pid: number; application_name: string; started_at: Date; beat_at: Date; stalled: boolean }[]) => {
      const row = rows[0];
      if (row === undefined) return undefined;
      return {
        backendPid: row.backend_pid,
        applicationName: row.application_name,
        startedAt: row.started_at,
        beatAt: row.beat_at,
        stalledSince: row.stalled ? row.beat_at : null,
      };
    },
  };
}
