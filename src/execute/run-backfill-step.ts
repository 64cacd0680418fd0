import { runBackfill, type BackfillOutcome, type BatchErrorKind } from '../backfill/index.js';
import type { BackfillStep, Unit } from '../plan/index.js';
import { describePgError, isConnectionLost, isRetryableLockError, isStatementTimeout } from './pg-errors.js';
import type { UnitContext } from './run-unit.js';
import { STOPPED_BETWEEN_RUNS } from './backfill-status.js';

/**
 * Hands a backfill step to the engine with the policy's defaults. The phase's
 * verify query (if any) becomes the backfill's verification, so a count
 * above 0 sends the backfill over the remaining rows instead of failing.
 */
export async function runBackfillStep(ctx: UnitContext, unit: Unit, step: BackfillStep): Promise<BackfillOutcome> {
  const verify = unit.steps.find((s) => s.kind === 'verify');
  const outcome = await runBackfill(ctx.db, ctx.store.backfills, {
    migrationId: unit.migrationId,
    spec: step.spec,
    defaults: {
      batchSize: ctx.policy.backfillBatchSize,
      tuning: ctx.policy.backfill ?? {},
      statementTimeoutMs: ctx.policy.timeouts.statementTimeoutMs,
      lockTimeoutMs: ctx.policy.timeouts.lockTimeoutMs,
    },
    verifyQuery: verify?.kind === 'verify' ? verify.query : undefined,
    classifyError,
    describeError: describePgError,
    random: ctx.policy.random,
    signal: ctx.signal,
    onProgress: ctx.onProgress,
  });
  // Stopped between batches, nobody is at it until the next advance: say so for `status`, which would else show it running with an ETA.
  if (outcome.kind === 'stopped') await ctx.store.backfills.setThrottle(unit.migrationId, STOPPED_BETWEEN_RUNS);
  return outcome;
}

/** A timed-out batch is split; a lock timeout or deadlock rolled back whole and is retried as is. */
function classifyError(error: unknown): BatchErrorKind {
  if (isConnectionLost(error)) return 'connectionLost';
  if (isStatementTimeout(error)) return 'statementTimeout';
  return isRetryableLockError(error) ? 'retryable' : 'fatal';
}
