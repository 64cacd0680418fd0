import { PhasegateError } from '../errors.js';
import type { Queryable } from '../pg/index.js';
import { conflictingHolders, describeBlocker, longTransactions, type Blocker, type ResolvedLock } from './blockers.js';
import { sleep } from './retry.js';

export interface PreflightPolicy {
  /** A transaction open longer than this blocks the step from starting. */
  readonly maxTransactionAgeMs: number;
  /** How long to wait for such transactions to end before refusing. */
  readonly waitMs: number;
}

const RECHECK_MS = 500;

/**
 * Before a step that locks tables: refuse to start while a long transaction
 * holds a conflicting lock on them, or any transaction in the database is
 * older than the limit. Queueing behind such a session would hold up every
 * application query on the table. Short-lived holders are left to
 * lock_timeout and retries, which handle them without a queue.
 */
export async function preflight(db: Queryable, locks: readonly ResolvedLock[], policy: PreflightPolicy, where: string): Promise<void> {
  if (locks.length === 0) return;
  const deadline = performance.now() + policy.waitMs;
  for (;;) {
    const holders = (await conflictingHolders(db, locks)).filter((b) => b.transactionAgeMs > policy.maxTransactionAgeMs);
    const old = await longTransactions(db, policy.maxTransactionAgeMs);
    const problems = dedupe([...holders, ...old]);
    if (problems.length === 0) return;
    if (performance.now() >= deadline) {
      throw new PhasegateError(
        'REFUSED',
        [`${where}: refused by preflight: transactions older than ${Math.round(policy.maxTransactionAgeMs / 1000)}s would block it`, ...problems.map((b) => `  ${describeBlocker(b)}`)].join('\n'),
        { hint: 'end or cancel those sessions (pg_terminate_backend(pid)) or wait for them, then run advance again' },
      );
    }
    await sleep(RECHECK_MS);
  }
}

function dedupe(blockers: readonly Blocker[]): Blocker[] {
  const seen = new Map<number, Blocker>();
  for (const b of blockers) if (!seen.has(b.pid) || b.relation !== null) seen.set(b.pid, b);
  return [...seen.values()];
}
