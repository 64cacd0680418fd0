import type { Logger } from '../logger.js';
import type { AnalysisResult } from '../analysis/index.js';
import type { BackfillProgress } from '../backfill/index.js';
import { assertNever, PhasegateError } from '../errors.js';
import type { Migration, Unit } from '../plan/index.js';
import type { Queryable, StateStore } from '../state/index.js';
import { currentFingerprints } from './edited-migrations.js';
import { runBackfillStep } from './run-backfill-step.js';
import { runSqlStep } from './run-sql-step.js';
import { runVerify } from './run-verify.js';
import type { ExecutionPolicy } from './policy.js';

export interface UnitContext {
  readonly db: Queryable;
  readonly store: StateStore;
  readonly policy: ExecutionPolicy;
  readonly logger: Logger;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((progress: BackfillProgress) => void) | undefined;
  /** The migration's analysis: lock levels and built indexes of each statement. */
  readonly analysis: AnalysisResult;
  /** Called after each step has committed, before the next one starts (rehearsals check apps here). */
  readonly onStepDone?: ((done: StepDone) => Promise<void>) | undefined;
}

/** One finished step, as reported to `onStepDone`. */
export interface StepDone {
  readonly unit: Unit;
  /** 0-based index into `unit.steps`. */
  readonly stepIndex: number;
  readonly durationMs: number;
  /** Rows the step wrote (a backfill's total), or null when PostgreSQL does not say. */
  readonly rows: number | null;
}

/** 'stopped' means a backfill paused between batches (signal or time budget); the unit stays running. */
export type UnitOutcome = 'done' | 'stopped';

/**
 * Runs a unit's steps that have not committed yet, in order. Steps already
 * recorded are skipped, so a unit interrupted at any point resumes where it
 * stopped. The unit is marked done only after its last step and verify.
 */
export async function runUnit(ctx: UnitContext, migration: Migration, unit: Unit): Promise<UnitOutcome> {
  const { db, store, policy, logger } = ctx;
  // Fingerprints are taken again on every start: a phase that committed nothing may have been edited since.
  const done = await store.startUnit(unit.migrationId, unit.phase, await currentFingerprints(migration));
  try {
    let backfillVerified: string | undefined;
    for (const [index, step] of unit.steps.entries()) {
      if (done.has(index)) continue;
      const stepStarted = performance.now();
      let rows: number | null = null;
      const log = logger.child({ migration: unit.migrationId, phase: unit.phase, step: index + 1, kind: step.kind });
      switch (step.kind) {
        case 'sql': {
          const facts = ctx.analysis.statements.filter((f) => f.phase === unit.phase && f.step === index);
          const run = await runSqlStep(db, store, unit, index, step, facts, policy, log, migration.file);
          log.info({ durationMs: Math.round(run.durationMs), attempts: run.attempts }, 'step done');
          rows = run.rowCount;
          break;
        }
        case 'backfill': {
          const started = performance.now();
          const outcome = await runBackfillStep(ctx, unit, step);
          if (outcome.kind === 'stopped') {
            log.info({ rowsDone: outcome.rowsDone }, 'backfill stopped after the batch in flight');
            return 'stopped';
          }
          await store.recordStep(unit.migrationId, unit.phase, index, performance.now() - started, 1);
          log.info({ rowsDone: outcome.rowsDone, passes: outcome.passes }, 'backfill done');
          backfillVerified = outcome.verifiedBy;
          rows = outcome.rowsDone;
          break;
        }
        case 'verify':
          // The backfill ran this very query until it returned 0; a second full count adds nothing.
          if (backfillVerified === step.query) break;
          await runVerify(db, unit, step.query, policy.timeouts, policy.planCheck);
          log.info('verify returned 0');
          break;
        default:
          assertNever(step);
      }
      await ctx.onStepDone?.({ unit, stepIndex: index, durationMs: performance.now() - stepStarted, rows });
    }
    await store.finishUnit(unit.migrationId, unit.phase);
    return 'done';
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Best effort: on a lost connection the record cannot be written, and the
    // unit simply stays 'running' until the next advance retries it.
    await store.failUnit(unit.migrationId, unit.phase, message).catch(() => undefined);
    throw error instanceof PhasegateError
      ? error
      : new PhasegateError('STEP_FAILED', `${unit.migrationId} ${unit.phase} failed: ${message}`, { cause: error });
  }
}
