import type { Timeouts } from '../plan/index.js';

/** How steps are run: timeouts per kind of step, retry budget, randomness. */
export interface ExecutionPolicy {
  readonly timeouts: Timeouts;
  readonly nonTransactionalTimeouts: Timeouts;
  /** Attempts per statement when it times out waiting for a lock. */
  readonly lockRetries: number;
  readonly backfillBatchSize: number;
  /** Source of jitter; injectable for tests. */
  readonly random: () => number;
}
