import type { BackfillTuning, Timeouts } from '../plan/index.js';
import type { PlanCheckPolicy } from './plan-check.js';
import type { PreflightPolicy } from './preflight.js';

/** How steps are run: timeouts per kind of step, retry budget, randomness. */
export interface ExecutionPolicy {
  readonly timeouts: Timeouts;
  readonly nonTransactionalTimeouts: Timeouts;
  /** Attempts per statement when it times out waiting for a lock. */
  readonly lockRetries: number;
  readonly backfillBatchSize: number;
  /** Backfill pacing and throttle defaults (config `backfill`); each spec may override. @default the engine's */
  readonly backfill?: BackfillTuning | undefined;
  /** What blocks a step from starting: long transactions, and how long to wait for them. */
  readonly preflight: PreflightPolicy;
  /** Which query plans are refused before DML and verify queries run. */
  readonly planCheck: PlanCheckPolicy;
  /** Source of jitter; injectable for tests. */
  readonly random: () => number;
}

/** The settings a policy is made of; a loaded `Config` has every one. */
export type PolicySettings = Omit<ExecutionPolicy, 'random'>;

/**
 * The policy `advance` and `rollback` run under, from a loaded config:
 * what the CLI uses, so a library caller runs steps exactly as `migrate` does.
 */
export function policyFromConfig(config: PolicySettings, random: () => number = Math.random): ExecutionPolicy {
  return {
    timeouts: config.timeouts,
    nonTransactionalTimeouts: config.nonTransactionalTimeouts,
    lockRetries: config.lockRetries,
    preflight: config.preflight,
    planCheck: config.planCheck,
    backfillBatchSize: config.backfillBatchSize,
    backfill: config.backfill,
    random,
  };
}
