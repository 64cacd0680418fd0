import { LOCK_LEVELS, type LockLevel, type RelationLock } from '../analysis/index.js';
import type { LockImpact, LockReport } from './plan-report.js';

/*
 * What each table lock keeps application sessions from doing, from the
 * conflict table in https://www.postgresql.org/docs/current/explicit-locking.html:
 * ACCESS EXCLUSIVE queues even SELECT; SHARE and stronger conflict with the
 * ROW EXCLUSIVE lock every INSERT/UPDATE/DELETE takes; SHARE UPDATE EXCLUSIVE
 * only conflicts with DDL, VACUUM and other maintenance.
 */
const IMPACT: Readonly<Record<LockLevel, LockImpact>> = {
  'ACCESS SHARE': 'nothing',
  'ROW SHARE': 'nothing',
  'ROW EXCLUSIVE': 'nothing',
  'SHARE UPDATE EXCLUSIVE': 'ddl',
  SHARE: 'writes',
  'SHARE ROW EXCLUSIVE': 'writes',
  EXCLUSIVE: 'writes',
  'ACCESS EXCLUSIVE': 'readsAndWrites',
};

/** What the lock blocks, for people: used in every format. */
export const IMPACT_TEXT: Readonly<Record<LockImpact, string>> = {
  nothing: 'does not block reads or writes',
  ddl: 'blocks DDL and VACUUM, not reads or writes',
  writes: 'blocks writes',
  readsAndWrites: 'blocks reads and writes',
};

/** A lock with what it blocks. */
export function lockReport(lock: Pick<RelationLock, 'relation' | 'level'>): LockReport {
  return { relation: lock.relation, level: lock.level, blocks: IMPACT[lock.level] };
}

/** Orders lock levels by strength (PostgreSQL's own numbering). */
export function lockStrength(level: LockLevel): number {
  return LOCK_LEVELS.indexOf(level);
}

/** The strongest of the locks; the first one on a tie. */
export function strongestLock<T extends LockReport>(locks: readonly T[]): T | null {
  let worst: T | null = null;
  for (const lock of locks) if (worst === null || lockStrength(lock.level) > lockStrength(worst.level)) worst = lock;
  return worst;
}
