import type { Queryable } from './db.js';

const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Takes the session-level advisory lock that makes this the only runner for
 * `schema` in this database. Session level (not transaction level) because a
 * runner commits many transactions and must hold the lock across all of them;
 * it is released by `releaseRunnerLock` or when the session ends (kill -9).
 *
 * With `waitMs` 0 it tries once; otherwise it waits under `lock_timeout`,
 * which PostgreSQL applies to advisory locks too, so the wait is bounded by
 * the server, not by a polling loop.
 */
export async function acquireRunnerLock(db: Queryable, schema: string, waitMs: number): Promise<boolean> {
  const key = `phasegate-runner:${schema}`;
  if (waitMs <= 0) {
    const { rows } = await db.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [key]);
    return rows[0]?.locked === true;
  }
  await db.query(`SELECT set_config('lock_timeout', $1, false)`, [`${Math.ceil(waitMs)}ms`]);
  try {
    await db.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === LOCK_NOT_AVAILABLE) return false;
    throw error;
  } finally {
    await db.query(`SELECT set_config('lock_timeout', '0', false)`);
  }
}

export async function releaseRunnerLock(db: Queryable, schema: string): Promise<void> {
  await db.query('SELECT pg_advisory_unlock(hashtext($1))', [`phasegate-runner:${schema}`]);
}
