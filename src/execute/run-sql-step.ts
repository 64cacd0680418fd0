import type { Logger } from 'pino';
import type { StatementFacts } from '../analysis/index.js';
import { PhasegateError } from '../errors.js';
import type { SqlStep, Unit } from '../plan/index.js';
import { quoteIdent, withTransaction, type Queryable, type StateStore } from '../state/index.js';
import { conflictingHolders, describeBlocker, type Blocker } from './blockers.js';
import { describePgError, isRetryableLockError } from './pg-errors.js';
import { retryDelayMs, sleep } from './retry.js';
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
): Promise<StepRun> {
  const where = `${unit.migrationId} ${unit.phase} step ${stepIndex + 1}`;
  const locks = facts.flatMap((f) => f.locks);
  await preflight(db, locks, policy.preflight, where);
  const [only] = facts;
  if (facts.length === 1 && only?.isDml === true) await checkQueryPlan(db, step.sql, policy.planCheck, where);
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
          await setTimeouts(db, lockTimeoutMs, statementTimeoutMs, true);
          rowCount = (await db.query(step.sql)).rowCount ?? null;
          await store.recordStep(unit.migrationId, unit.phase, stepIndex, performance.now() - started, attempt);
        });
      } else {
        for (const f of facts) if (f.builtIndex !== null) await dropInvalidIndex(db, f.builtIndex, logger);
        await setTimeouts(db, lockTimeoutMs, statementTimeoutMs, false);
        try {
          await db.query(step.sql);
        } finally {
          await setTimeouts(db, 0, 0, false);
        }
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
      const gaveUp = isRetryableLockError(error)
        ? ` after ${attempt} attempts waiting ${lockTimeoutMs}ms each for its lock${blockers.length === 0 ? '' : `; blocked by ${blockers.map(describeBlocker).join('; ')}`}`
        : '';
      throw new PhasegateError('STEP_FAILED', `${where} failed${gaveUp}: ${describePgError(error)}`, {
        hint: isRetryableLockError(error)
          ? 'another session holds a conflicting lock for long; find it in pg_stat_activity, then run advance again'
          : 'fix the statement (the transaction was rolled back, nothing of this step was applied) and run advance again',
        cause: error,
      });
    }
  }
}

/**
 * A concurrent index build that failed leaves an INVALID index behind, which
 * IF NOT EXISTS would then keep forever. Drop it (concurrently, so writes go
 * on) before building again. Only an index of exactly this name and invalid.
 */
async function dropInvalidIndex(db: Queryable, name: string, logger: Logger): Promise<void> {
  const { rows } = await db.query<{ invalid: boolean }>(
    'SELECT NOT i.indisvalid AS invalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)',
    [name],
  );
  if (rows[0]?.invalid !== true) return;
  logger.warn({ index: name }, 'dropping the invalid index a failed concurrent build left');
  await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name.split('.').map(quoteIdent).join('.')}`);
}

async function setTimeouts(db: Queryable, lockMs: number, statementMs: number, local: boolean): Promise<void> {
  // set_config takes values as parameters; SET cannot.
  await db.query(`SELECT set_config('lock_timeout', $1, $3), set_config('statement_timeout', $2, $3)`, [
    `${lockMs}ms`,
    `${statementMs}ms`,
    local,
  ]);
}
