import type { Logger } from '../logger.js';
import type { StatementFacts } from '../analysis/index.js';
import { PhasegateError } from '../errors.js';
import type { SqlStep, Unit } from '../plan/index.js';
import { withTransaction, type Queryable, type StateStore } from '../state/index.js';
import { indexValidity, setLocalTimeouts, withSessionTimeouts, type RelationRef } from '../pg/index.js';
import { conflictingHolders, describeBlocker, resolveLocks, type Blocker } from './blockers.js';
import { describePgError, isRetryableLockError } from './pg-errors.js';
import { retryDelayMs, sleep } from './retry.js';
import { stepError } from './step-error.js';
import type { ExecutionPolicy } from './policy.js';
import { checkQueryPlan } from './plan-check.js';
import { preflight } from './preflight.js';

export interface StepRun {
  readonly attempts: number;
  readonly durationMs: number;
  /** Rows the statement reported (INSERT/UPDATE/DELETE), else null. */
  readonly rowCount: number | null;
}

/**
 * Runs one SQL step under lock and statement timeouts, retrying lock
 * timeouts with backoff. A transactional step commits together with its
 * record (exactly-once); a non-transactional one is recorded right after it
 * succeeds, so it must be idempotent (IF NOT EXISTS) to survive a crash in
 * between. No attempt ever runs without a lock timeout.
 */
export async function runSqlStep(
  db: Queryable,
  store: StateStore,
  unit: Unit,
  stepIndex: number,
  step: SqlStep,
  facts: readonly StatementFacts[],
  policy: ExecutionPolicy,
  logger: Logger,
  file: string,
): Promise<StepRun> {
  const where = `${unit.migrationId} ${unit.phase} step ${stepIndex + 1}`;
  const locks = await resolveLocks(db, facts.flatMap((f) => f.locks));
  await preflight(db, locks, policy.preflight, where);
  const [only] = facts;
  if (facts.length === 1 && only?.isDml === true) await checkQueryPlan(db, step.sql, policy.planCheck, where, policy.timeouts);
  const defaults = step.transactional ? policy.timeouts : policy.nonTransactionalTimeouts;
  const lockTimeoutMs = step.lockTimeoutMs ?? defaults.lockTimeoutMs;
  const statementTimeoutMs = step.statementTimeoutMs ?? defaults.statementTimeoutMs;
  const started = performance.now();
  let blockers: Blocker[] = [];
  let rowCount: number | null = null;

  for (let attempt = 1; ; attempt++) {
    try {
      if (step.transactional) {
        await withTransaction(db, async () => {
          await setLocalTimeouts(db, { lockTimeoutMs, statementTimeoutMs });
          rowCount = (await db.query(step.sql)).rowCount ?? null;
          await store.recordStep(unit.migrationId, unit.phase, stepIndex, performance.now() - started, attempt);
        });
      } else {
        // No transaction for SET LOCAL to end: the session's own values come back after the step.
        await withSessionTimeouts(db, { lockTimeoutMs, statementTimeoutMs }, async () => {
          for (const f of facts) if (f.builtIndex !== null) await dropInvalidIndex(db, f.builtIndex, logger);
          await db.query(step.sql);
        });
        for (const f of facts) if (f.builtIndex !== null) await assertIndexValid(db, f.builtIndex, where);
        await store.recordStep(unit.migrationId, unit.phase, stepIndex, performance.now() - started, attempt);
      }
      return { attempts: attempt, durationMs: performance.now() - started, rowCount };
    } catch (error) {
      if (isRetryableLockError(error)) blockers = await conflictingHolders(db, locks);
      if (isRetryableLockError(error) && attempt < policy.lockRetries) {
        const delayMs = retryDelayMs(attempt, policy.random());
        logger.warn(
          { attempt, delayMs, error: describePgError(error), blockedBy: blockers.map(describeBlocker) },
          'lock not available; retrying',
        );
        await sleep(delayMs);
        continue;
      }
      throw await stepError(db, { where, file, step, facts, attempts: attempt, lockTimeoutMs, blockers, error });
    }
  }
}

/**
 * A concurrent index build that failed leaves an INVALID index behind, which
 * IF NOT EXISTS would then keep forever. Drop it (concurrently, so writes go
 * on) before building again. Only an index of exactly this name and invalid.
 */
async function dropInvalidIndex(db: Queryable, name: RelationRef, logger: Logger): Promise<void> {
  const index = await indexValidity(db, name);
  if (index === null || index.valid) return;
  logger.warn({ index: index.quoted }, 'dropping the invalid index a failed concurrent build left');
  await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index.quoted}`);
}

/**
 * A non-transactional build can end without error and leave no valid index
 * (IF NOT EXISTS meeting an index of that name left INVALID by someone else's
 * build): the step is not done then, so it is not recorded.
 */
async function assertIndexValid(db: Queryable, name: RelationRef, where: string): Promise<void> {
  const index = await indexValidity(db, name);
  if (index === null || index.valid) return;
  throw new PhasegateError('STEP_FAILED', `${where}: the index ${index.quoted} is INVALID after its build; the step is not recorded as done`, {
    hint: `run advance again: the invalid index is dropped (DROP INDEX CONCURRENTLY) and built again`,
  });
}
