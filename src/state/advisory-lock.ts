import { quoteIdent, sqlState, type Queryable, type RunnerSession } from '../pg/index.js';

/**
 * The runner lock's key, in the two-int4 form of advisory locks: the first
 * half is phasegate's own constant ("phsg" in ASCII), the second the OID of
 * the state schema. pg_locks keeps the two-int form apart from the bigint
 * form (objsubid 2 against 1), so an application's bigint keys never collide
 * with it; OIDs are unique within a database, so two state schemas never
 * share a key, which a hash of the schema name could not promise.
 */
const RUNNER_LOCK_CLASS = 0x70687367;
/** The key's two halves, read from the schema's row: `SELECT f(${KEY}) ${OF_SCHEMA}` with the schema name as $1. */
const KEY = `${RUNNER_LOCK_CLASS}, oid::int4`;
const OF_SCHEMA = 'FROM pg_namespace WHERE nspname = $1';
const UNIQUE_VIOLATION = '23505';

/** How often `--wait` asks again. */
const POLL_MS = 250;

/**
 * Takes the session-level advisory lock that makes this the only runner for
 * `schema` in this database. Session level (not transaction level) because a
 * runner commits many transactions and must hold the lock across all of them;
 * it is released by `releaseRunnerLock` or when the session ends (kill -9).
 *
 * Waiting polls pg_try_advisory_lock between short statements instead of
 * blocking in pg_advisory_lock: a blocked statement is a transaction that a
 * concurrent index build waits for (a deadlock with the runner that builds
 * it), and no timeout of the session has to change for the wait.
 */
export async function acquireRunnerLock(db: RunnerSession, schema: string, waitMs: number): Promise<boolean> {
  const deadline = performance.now() + waitMs;
  for (let created = false; ; ) {
    // One round trip: no row means the schema, whose OID the key needs, does not exist yet.
    const { rows } = await db.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(${KEY}) AS locked ${OF_SCHEMA}`,
      [schema],
    );
    if (rows.length === 0 && !created) {
      await createSchema(db, schema);
      created = true;
      continue;
    }
    if (rows[0]?.locked === true) return true;
    const leftMs = deadline - performance.now();
    if (leftMs <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, leftMs)));
  }
}

/**
 * Gives the lock back; a session that ends releases it too. `forgetRunner`:
 * this session's row in the runner table (recordRunner) goes in the same
 * statement, one round trip for both.
 */
export async function releaseRunnerLock(db: RunnerSession, schema: string, forgetRunner: boolean): Promise<void> {
  const forget = forgetRunner ? `WITH forgotten AS (DELETE FROM ${quoteIdent(schema)}.runner WHERE backend_pid = pg_backend_pid()) ` : '';
  await db.query(`${forget}SELECT pg_advisory_unlock(${KEY}) ${OF_SCHEMA}`, [schema]);
}

/** The session holding the runner lock, as pg_stat_activity sees it. */
export interface LockHolder {
  readonly pid: number;
  readonly applicationName: string;
  readonly clientAddress: string | null;
  /** When its connection was opened. */
  readonly connectedAt: Date;
  readonly state: string;
  /** What it runs (or last ran, when idle); cut to 200 characters. */
  readonly query: string;
}

/** Who holds the runner lock of `schema`, if anyone. Reads only. */
export async function runnerLockHolder(db: Queryable, schema: string): Promise<LockHolder | undefined> {
  const { rows } = await db.query<{ pid: number; application_name: string; client: string | null; connected_at: Date; state: string; query: string }>(
    `SELECT a.pid, a.application_name, host(a.client_addr) AS client, a.backend_start AS connected_at,
            coalesce(a.state, '') AS state, left(coalesce(a.query, ''), 200) AS query
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = ${RUNNER_LOCK_CLASS}::oid AND l.objid = (SELECT oid FROM pg_namespace WHERE nspname = $1)`,
    [schema],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  return { pid: row.pid, applicationName: row.application_name, clientAddress: row.client, connectedAt: row.connected_at, state: row.state, query: row.query };
}

/** The key needs the schema's OID, so the schema comes first; its tables come later, under the lock. */
async function createSchema(db: Queryable, schema: string): Promise<void> {
  try {
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  } catch (error) {
    // Two first runs at once: IF NOT EXISTS does not stop the loser's catalog insert from colliding.
    if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
  }
}
