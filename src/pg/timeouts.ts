import type { Queryable } from './queryable.js';
import { Session } from './session.js';

/** A statement timeout, and optionally a lock timeout, in milliseconds. */
export interface StatementBounds {
  readonly lockTimeoutMs?: number | undefined;
  readonly statementTimeoutMs: number;
}

/** SET LOCAL: the values end with the caller's transaction, whatever happens in it. */
export async function setLocalTimeouts(db: Queryable, bounds: StatementBounds): Promise<void> {
  await setConfig(db, timeoutSettings(bounds), true);
  if (db instanceof Session) db.noteStatementTimeout(bounds.statementTimeoutMs, true);
}

/**
 * Runs `work` under session-level timeouts (for statements that cannot run
 * in a transaction, where SET LOCAL has no effect), and any other settings
 * in `also`, then puts back exactly the values the session had: its own,
 * the role's or phasegate's defaults.
 */
export async function withSessionTimeouts<T>(db: Queryable, bounds: StatementBounds, work: () => Promise<T>, also: Readonly<Record<string, string>> = {}): Promise<T> {
  const noted = db instanceof Session ? db.statementTimeoutMs : undefined;
  try {
    return await withSessionSettings(db, { ...also, ...timeoutSettings(bounds) }, () => {
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
async function withSessionSettings<T>(db: Queryable, settings: Readonly<Record<string, string>>, work: () => Promise<T>): Promise<T> {
  const names = Object.keys(settings);
  // One round trip: the aggregate has read every value before the outer row's subquery sets the new ones.
  const { rows } = await db.query<{ before: string[] }>(
    `SELECT before, (SELECT count(set_config(name, value, false)) FROM unnest($1::text[], $2::text[]) AS s(name, value)) AS applied
       FROM (SELECT array_agg(current_setting(name) ORDER BY position) AS before FROM unnest($1::text[]) WITH ORDINALITY AS s(name, position)) AS old`,
    [names, Object.values(settings)],
  );
  const before = rows[0]?.before ?? [];
  let failed = true;
  try {
    const result = await work();
    failed = false;
    return result;
  } finally {
    try {
      await setConfig(db, Object.fromEntries(names.map((name, i) => [name, before[i] ?? ''])), false);
    } catch (error) {
      if (!failed) throw error;
    }
  }
}

/** Sets each setting for the session, or (`local`) for the current transaction only. */
export async function setConfig(db: Queryable, settings: Readonly<Record<string, string>>, local: boolean): Promise<void> {
  // set_config takes names and values as parameters; SET takes neither.
  await db.query('SELECT set_config(name, value, $3) FROM unnest($1::text[], $2::text[]) AS s(name, value)', [Object.keys(settings), Object.values(settings), local]);
}

/**
 * Gives a session that has no lock or statement timeout (0: unlimited) the
 * policy's; bounds it already has (its own, or its role's) are kept. A
 * Session phasegate opened got both in its startup packet: nothing to ask.
 */
export async function boundSession(db: Queryable, bounds: Required<StatementBounds>): Promise<void> {
  if (db instanceof Session && db.boundAtStartup) return;
  await db.query(
    `SELECT CASE WHEN current_setting('lock_timeout') = '0' THEN set_config('lock_timeout', $1, false) END,
            CASE WHEN current_setting('statement_timeout') = '0' THEN set_config('statement_timeout', $2, false) END`,
    [`${bounds.lockTimeoutMs}ms`, `${bounds.statementTimeoutMs}ms`],
  );
}

/** The bounds as settings; without a lock timeout, the one in force stays. */
function timeoutSettings(bounds: StatementBounds): Record<string, string> {
  return {
    statement_timeout: `${bounds.statementTimeoutMs}ms`,
    ...(bounds.lockTimeoutMs === undefined ? {} : { lock_timeout: `${bounds.lockTimeoutMs}ms` }),
  };
}
