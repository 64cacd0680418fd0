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
  const noted = db instanceof Session ? db.statementTimeoutMs : undefined;
  const settings: Record<string, string> = { statement_timeout: `${bounds.statementTimeoutMs}ms` };
  if (bounds.lockTimeoutMs !== undefined) settings['lock_timeout'] = `${bounds.lockTimeoutMs}ms`;
  try {
    return await withSessionSettings(db, settings, () => {
      if (db instanceof Session) db.noteStatementTimeout(bounds.statementTimeoutMs, false);
      return work();
    });
  } finally {
    if (db instanceof Session && noted !== undefined) db.noteStatementTimeout(noted, false);
  }
}

/**
 * Runs `work` with session-level settings, then puts back exactly the values
 * the session had. When `work` failed, a failure to put them back (the
 * connection is gone) does not hide its error.
 */
export async function withSessionSettings<T>(db: Queryable, settings: Readonly<Record<string, string>>, work: () => Promise<T>): Promise<T> {
  const names = Object.keys(settings);
  const { rows } = await db.query<{ before: string[] }>(
    'SELECT array_agg(current_setting(name) ORDER BY position) AS before FROM unnest($1::text[]) WITH ORDINALITY AS s(name, position)',
    [names],
  );
  const before = rows[0]?.before ?? [];
  await setSessionSettings(db, names, Object.values(settings));
  let failed = true;
  try {
    const result = await work();
    failed = false;
    return result;
  } finally {
    try {
      await setSessionSettings(db, names, before);
    } catch (error) {
      if (!failed) throw error;
    }
  }
}

async function setSessionSettings(db: Queryable, names: readonly string[], values: readonly string[]): Promise<void> {
  // set_config takes names and values as parameters; SET takes neither.
  await db.query('SELECT set_config(name, value, false) FROM unnest($1::text[], $2::text[]) AS s(name, value)', [names, values]);
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
