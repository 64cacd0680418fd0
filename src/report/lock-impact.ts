import { LOCK_DURATIONS, LOCK_LEVELS, type LockDuration, type LockLevel, type RelationLock } from '../analysis/index.js';
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

/** How long a lock is held, for people: used in every format's badges. */
export const HELD_TEXT: Readonly<Record<LockDuration, string>> = {
  brief: 'brief',
  scan: 'for a scan',
  rewrite: 'for a rewrite',
  transaction: 'until COMMIT',
};

/** A lock with what it blocks and for how long. */
export function lockReport(lock: Pick<RelationLock, 'relation' | 'level'>, held: LockDuration): LockReport {
  return { relation: lock.relation, level: lock.level, blocks: IMPACT[lock.level], held };
}

/** Orders lock levels by strength (PostgreSQL's own numbering). */
export function lockStrength(level: LockLevel): number {
  return LOCK_LEVELS.indexOf(level);
}

const IMPACTS: readonly LockImpact[] = ['nothing', 'ddl', 'writes', 'readsAndWrites'];

/**
 * The worst of the locks; the first one on a tie. A lock that blocks reads or
 * writes for longer than a catalog change outranks any brief one, so an
 * instant ACCESS EXCLUSIVE (ADD COLUMN) never looks worse than a
 * write-blocking index build; then what it blocks, then how long, then the level.
 */
export function worstLock<T extends LockReport>(locks: readonly T[]): T | null {
  const rank = (lock: T): readonly number[] => [
    lock.held !== 'brief' && (lock.blocks === 'writes' || lock.blocks === 'readsAndWrites') ? 1 : 0,
    IMPACTS.indexOf(lock.blocks),
    LOCK_DURATIONS.indexOf(lock.held),
    lockStrength(lock.level),
  ];
  let worst: T | null = null;
  for (const lock of locks) if (worst === null || compareRanks(rank(lock), rank(worst)) > 0) worst = lock;
  return worst;
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}
