import type { Queryable } from './queryable.js';
import { Session } from './session.js';

/** A statement timeout, and optionally a lock timeout, in milliseconds. */
export interface StatementBounds {
  readonly lockTimeoutMs?: number | undefined;
  readonly statementTimeoutMs: number;
}

/** SET LOCAL: the values end with the caller's transaction, whatever happens in it. */
export async function setLocalTimeouts(db: Queryable, bounds: StatementBounds): Promise<void> {
  await setTimeouts(db, bounds, true);
}

/**
 * Runs `work` under session-level timeouts (for statements that cannot run
 * in a transaction, where SET LOCAL has no effect), then puts back exactly
 * the values the session had: its own, the role's or phasegate's defaults.
 */
export async function withSessionTimeouts<T>(db: Queryable, bounds: StatementBounds, work: () => Promise<T>): Promise<T> {
  const { rows } = await db.query<{ lock: string; statement: string }>(
    `SELECT current_setting('lock_timeout') AS lock, current_setting('statement_timeout') AS statement`,
  );
  const before = rows[0];
  const noted = db instanceof Session ? db.statementTimeoutMs : undefined;
  await setTimeouts(db, bounds, false);
  try {
    return await work();
  } finally {
    if (before !== undefined) {
      await db.query(`SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false)`, [before.lock, before.statement]);
    }
    if (db instanceof Session && noted !== undefined) db.noteStatementTimeout(noted, false);
  }
}

/**
 * Gives a session that has no lock or statement timeout (0: unlimited) the
 * policy's; bounds it already has (its own, or its role's) are kept.
 */
export async function boundSession(db: Queryable, bounds: Required<StatementBounds>): Promise<void> {
  await db.query(
    `SELECT CASE WHEN current_setting('lock_timeout') = '0' THEN set_config('lock_timeout', $1, false) END,
            CASE WHEN current_setting('statement_timeout') = '0' THEN set_config('statement_timeout', $2, false) END`,
    [`${bounds.lockTimeoutMs}ms`, `${bounds.statementTimeoutMs}ms`],
  );
}

async function setTimeouts(db: Queryable, bounds: StatementBounds, local: boolean): Promise<void> {
  // set_config takes values as parameters; SET cannot. A NULL lock timeout leaves the one in force.
  await db.query(
    `SELECT set_config('statement_timeout', $1, $3), CASE WHEN $2::text IS NOT NULL THEN set_config('lock_timeout', $2, $3) END`,
    [`${bounds.statementTimeoutMs}ms`, bounds.lockTimeoutMs === undefined ? null : `${bounds.lockTimeoutMs}ms`, local],
  );
  if (db instanceof Session) db.noteStatementTimeout(bounds.statementTimeoutMs, local);
}
