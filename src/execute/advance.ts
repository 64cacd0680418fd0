import { silentLogger, type Logger } from '../logger.js';
import type { AnalysisResult } from '../analysis/index.js';
import type { BackfillProgress } from '../backfill/index.js';
import { assertNever, PhasegateError } from '../errors.js';
import { evaluateGate } from '../gates/index.js';
import { compareIds, orderUnits, phaseIndex, unitName, type Migration, type Phase, type Unit } from '../plan/index.js';
import { boundSession, serverVersion, type RunnerSession } from '../pg/index.js';
import { StateStore, type UnitRecord } from '../state/index.js';
import { editedMigrationsError, findEditedMigrations, restampFingerprints } from './edited-migrations.js';
import { assertNoUnfinishedMissing, fileDrift, outOfOrderError } from './file-drift.js';
import { gateFactsFor, type StateSnapshot } from './gate-facts.js';
import type { ExecutionPolicy } from './policy.js';
import { readInstalledState, readState } from './read-state.js';
import { IRREVERSIBLE_PHASES } from './rollback.js';
import { runUnit, type StepDone } from './run-unit.js';
import { assertNamesExist } from './check-names.js';
import { holdRunnerLock, type HeartbeatOptions, type RunnerHold } from './runner-lock.js';
import { analyzeAgainstDatabase, unitFindings } from './safety.js';
import { assertStateConsistent } from './state-consistency.js';

export interface UnitTarget {
  readonly migrationId: string;
  readonly phase?: Phase | undefined;
}

export interface AdvanceOptions {
  /**
   * A dedicated session (a pg.Client, or a client checked out of a pool): it
   * holds the runner's advisory lock for the whole run. A lock or statement
   * timeout it lacks is set from the policy; ones it has are kept.
   */
  readonly db: RunnerSession;
  /** Schema of the state store. */
  readonly schema: string;
  readonly migrations: readonly Migration[];
  readonly policy: ExecutionPolicy;
  /** Silent when absent: the library never decides on its own to print. */
  readonly logger?: Logger | undefined;
  /** Run only up to this migration (and phase). */
  readonly to?: UnitTarget | undefined;
  /** Plan, evaluate gates and report, taking no lock and writing nothing. */
  readonly dryRun?: boolean | undefined;
  /** How long to wait for another runner's lock. @default 0 (fail at once) */
  readonly waitMs?: number | undefined;
  /** Beat on a second connection while holding the lock, so `status` can tell a frozen runner. @default none */
  readonly heartbeat?: HeartbeatOptions | undefined;
  /** Stop a backfill after the batch in flight once this much time has passed. */
  readonly timeBudgetMs?: number | undefined;
  /** Aborting stops after the batch or unit in flight (SIGINT/SIGTERM). */
  readonly signal?: AbortSignal | undefined;
  /** Refuse to run a new migration ordered before done ones, instead of warning. */
  readonly strictOrder?: boolean | undefined;
  /** Judge time-based gates as of this instant instead of the database's clock. */
  readonly now?: Date | undefined;
  readonly onProgress?: ((progress: BackfillProgress) => void) | undefined;
  /** Called after each step commits, before the next starts. */
  readonly onStepDone?: ((done: StepDone) => Promise<void>) | undefined;
  /**
   * Rehearsals only: decides each pending unit instead of its gate. Gets what
   * the gate still waits for (undefined when it holds); 'skip' leaves the unit pending.
   */
  readonly decideUnit?: ((unit: Unit, gateMissing: string | undefined) => 'run' | 'skip') | undefined;
}

export type StopReason = 'gate' | 'rolledBack' | 'backfill-in-progress' | 'interrupted' | 'refused' | 'error' | 'locked';

export interface StoppedAt {
  readonly migration: string | null;
  readonly phase: Phase | null;
  readonly reason: StopReason;
  /** For people: which gate and what is missing, or what failed. */
  readonly detail: string;
  readonly error?: PhasegateError;
}

export interface RanUnit {
  readonly migration: string;
  readonly phase: Phase;
  /** The statements of the unit, reported by a dry run. */
  readonly sql?: readonly string[];
  readonly durationMs?: number;
}

export interface AdvanceResult {
  readonly dryRun: boolean;
  readonly ran: readonly RanUnit[];
  /** null when everything runnable ran. */
  readonly stoppedAt: StoppedAt | null;
  /** New migrations ordered before done ones: they run, but out of order. */
  readonly outOfOrder: readonly string[];
  /** Finished migrations (done or rolled back) recorded in state whose file is gone. */
  readonly missingFiles: readonly string[];
}

/**
 * Moves every migration forward as far as its gates allow: pending units in
 * (phase, migration id) order, stopping at the first gate that does not hold.
 * Expected stops (a gate, a backfill in progress, the lock) are results;
 * bad input (an edited migration, an unknown --to) throws before anything runs.
 */
export async function advance(options: AdvanceOptions): Promise<AdvanceResult> {
  const { db, schema } = options;
  const dryRun = options.dryRun ?? false;
  const logger = options.logger ?? silentLogger;
  const selected = selectUnits(options.migrations, options.to);

  await boundSession(db, options.policy.timeouts);
  let hold: RunnerHold | undefined;
  if (!dryRun) {
    const lock = await holdRunnerLock(db, schema, options.waitMs ?? 0, options.heartbeat);
    if (lock.kind === 'locked') return { dryRun, ran: [], outOfOrder: [], missingFiles: [], stoppedAt: { migration: null, phase: null, reason: 'locked', detail: lock.detail } };
    hold = lock;
  }
  try {
    const store = new StateStore(db, schema);
    // Under the lock, the state schema was just checked (or installed): no need to ask again.
    let snapshot = hold === undefined ? await readState(db, store, schema) : await readInstalledState(store);
    const drifted = await checkFilesAndState(options, snapshot, store, logger);
    const units = new Map(snapshot.units);
    let now = options.now ?? snapshot.now;
    const signal = combineSignals(options.signal, options.timeBudgetMs);
    const byId = new Map(options.migrations.map((m) => [m.id, m]));
    const ran: RanUnit[] = [];
    const stop = (unit: Unit, reason: StopReason, detail: string, error?: PhasegateError): AdvanceResult => ({
      dryRun,
      ran,
      ...drifted,
      stoppedAt: { migration: unit.migrationId, phase: unit.phase, reason, detail, ...(error === undefined ? {} : { error }) },
    });

    // SQL that does not parse is bad input: find it before anything runs.
    const analyses = new Map<string, AnalysisResult>();
    let pgVersion: number | undefined;
    for (const unit of selected) {
      if (units.get(unitName(unit))?.state === 'done' || analyses.has(unit.migrationId)) continue;
      pgVersion ??= (await serverVersion(db)).major;
      analyses.set(unit.migrationId, await analyzeAgainstDatabase(db, byId.get(unit.migrationId) as Migration, pgVersion));
    }
    // A misspelt backfill table is bad input: refuse it before expand runs, not when the backfill phase comes.
    const pending = (u: Unit): boolean => selected.some((s) => unitName(s) === unitName(u)) && units.get(unitName(u))?.state !== 'done';
    for (const [id, analysis] of analyses) await assertNamesExist(db, byId.get(id) as Migration, analysis, pending);

    for (const unit of selected) {
      const state = units.get(unitName(unit))?.state;
      if (state === 'done') continue;
      if (state === 'rolledBack') {
        return stop(unit, 'rolledBack', `rolled back; it stays so until \`migrate reapply ${unit.migrationId}\` (the file may be edited before)`);
      }
      const migration = byId.get(unit.migrationId) as Migration;
      const verdict = evaluateGate(unit.gate, gateFactsFor(migration, unit, { ...snapshot, units, now }));
      const decision = options.decideUnit?.(unit, verdict.holds ? undefined : verdict.missing);
      if (decision === 'skip') continue;
      if (!verdict.holds && decision === undefined) {
        logger.info({ migration: unit.migrationId, phase: unit.phase, missing: verdict.missing }, 'waiting at gate');
        if (!dryRun) await store.recordEvent('gateWaiting', unit.migrationId, unit.phase, { missing: verdict.missing });
        return stop(unit, 'gate', verdict.missing);
      }
      if (signal?.aborted === true) return stop(unit, 'interrupted', 'stopped before this unit (signal or time budget)');
      try {
        for (const finding of unitFindings(analyses.get(unit.migrationId) as AnalysisResult, unit)) {
          logger.warn({ migration: unit.migrationId, phase: unit.phase, rule: finding.rule, step: finding.step === undefined ? undefined : finding.step + 1 }, finding.message);
        }
      } catch (error) {
        if (!(error instanceof PhasegateError) || error.code !== 'REFUSED') throw error;
        logger.error({ migration: unit.migrationId, phase: unit.phase, code: error.code }, error.message);
        return stop(unit, 'refused', error.message, error);
      }
      if (dryRun) {
        ran.push({ migration: unit.migrationId, phase: unit.phase, sql: describeSteps(unit) });
        units.set(unitName(unit), simulatedDone(unit, now));
        continue;
      }
      await hold?.startBeating();
      logger.info({ migration: unit.migrationId, phase: unit.phase }, 'unit started');
      const started = performance.now();
      try {
        const analysis = analyses.get(unit.migrationId) as AnalysisResult;
        const outcome = await runUnit({ db, store, policy: options.policy, logger, signal, onProgress: options.onProgress, onStepDone: options.onStepDone, analysis }, migration, unit);
        if (outcome === 'stopped') return stop(unit, 'backfill-in-progress', 'the backfill stopped after the batch in flight; run advance again to continue');
      } catch (error) {
        const failure = await withRecoveryHint(error, unit, store);
        logger.error({ migration: unit.migrationId, phase: unit.phase, code: failure.code, error: failure.message }, 'unit failed');
        return stop(unit, failure.code === 'REFUSED' ? 'refused' : 'error', failure.message, failure);
      }
      const durationMs = Math.round(performance.now() - started);
      logger.info({ migration: unit.migrationId, phase: unit.phase, durationMs }, 'unit done');
      ran.push({ migration: unit.migrationId, phase: unit.phase, durationMs });
      // The unit's finish time is the database's; soak gates after it compare against a fresh clock,
      // and markers and approvals recorded while it ran count at the next gate (one round trip).
      snapshot = await readInstalledState(store);
      for (const [name, record] of snapshot.units) units.set(name, record);
      now = options.now ?? snapshot.now;
    }
    return { dryRun, ran, ...drifted, stoppedAt: null };
  } finally {
    await hold?.release();
  }
}

function selectUnits(migrations: readonly Migration[], to: UnitTarget | undefined): Unit[] {
  const ordered = orderUnits(migrations);
  if (to === undefined) return ordered;
  const target = migrations.find((m) => m.id === to.migrationId);
  if (target === undefined) {
    throw new PhasegateError('USAGE', `--to ${to.migrationId}: no such migration`, {
      hint: 'use the id of a migration file (its name without extension); `migrate status` lists them',
    });
  }
  const phase = to.phase;
  return ordered.filter(
    (u) => compareIds(u.migrationId, to.migrationId) <= 0 && (phase === undefined || phaseIndex(u.phase) <= phaseIndex(phase)),
  );
}

/**
 * Refuses, before anything runs, what must not run on (an unfinished migration
 * without its file, an edited one, contradictory state); returns the drift
 * that only deserves a word.
 */
async function checkFilesAndState(
  options: AdvanceOptions,
  snapshot: StateSnapshot,
  store: StateStore,
  logger: Logger,
): Promise<Pick<AdvanceResult, 'outOfOrder' | 'missingFiles'>> {
  const drift = fileDrift(options.migrations, snapshot);
  assertNoUnfinishedMissing(drift);
  if (drift.outOfOrder.length > 0 && options.strictOrder === true) throw outOfOrderError(drift.outOfOrder);
  const edited = await findEditedMigrations(options.migrations, snapshot);
  if (edited.length > 0) throw editedMigrationsError(edited);
  assertStateConsistent(options.migrations, snapshot, options.schema);
  if (options.dryRun !== true) await restampFingerprints(store, options.migrations, snapshot);
  for (const id of drift.outOfOrder) logger.warn({ migration: id }, 'new migration ordered before migrations that are done: it runs now, out of order');
  return { outOfOrder: drift.outOfOrder, missingFiles: drift.missing.map((m) => m.id) };
}

function describeSteps(unit: Unit): string[] {
  return unit.steps.map((step) => {
    switch (step.kind) {
      case 'sql':
        return step.sql;
      case 'backfill':
        return `-- backfill ${step.spec.table} in keyset batches: SET ${step.spec.set}${step.spec.where === undefined ? '' : ` WHERE ${step.spec.where}`}`;
      case 'verify':
        return `-- verify (must return 0): ${step.query}`;
      default:
        return assertNever(step);
    }
  });
}

function simulatedDone(unit: Unit, now: Date): UnitRecord {
  return { migrationId: unit.migrationId, phase: unit.phase, state: 'done', startedAt: now, finishedAt: now, attempts: 0, lastError: null };
}

function combineSignals(signal: AbortSignal | undefined, budgetMs: number | undefined): AbortSignal | undefined {
  if (budgetMs === undefined) return signal;
  // Not AbortSignal.timeout: AbortSignal.any holds its sources weakly, and a
  // timeout signal nothing else holds may be collected before it fires. The
  // timer holds this controller until then; unref'd, it keeps no process alive.
  const budget = new AbortController();
  setTimeout(() => budget.abort(new Error('time budget spent')), budgetMs).unref();
  return signal === undefined ? budget.signal : AbortSignal.any([signal, budget.signal]);
}

/**
 * The way out of a failed unit depends on what of it committed: with nothing,
 * the file may be fixed and advance run again; otherwise the file is frozen
 * and only the cause, or a rollback, can change the outcome.
 */
async function withRecoveryHint(error: unknown, unit: Unit, store: StateStore): Promise<PhasegateError> {
  const failure = error instanceof PhasegateError ? error : new PhasegateError('STEP_FAILED', String(error), { cause: error });
  if (failure.code !== 'STEP_FAILED' && failure.code !== 'VERIFY_FAILED') return failure;
  const committed = await store.unitsWithCommittedWork().catch(() => new Set<string>());
  if (!committed.has(unitName(unit))) return failure;
  const rollback = IRREVERSIBLE_PHASES.has(unit.phase)
    ? 'or move forward with a new migration'
    : `or \`migrate rollback ${unit.migrationId}\`, edit the file, \`migrate reapply ${unit.migrationId}\` and advance`;
  return new PhasegateError(failure.code, failure.message, {
    cause: failure,
    hint: `steps of ${unit.migrationId} ${unit.phase} already committed, so its file may not change now: remove the cause (data, a blocking session) and run advance again, ${rollback}`,
  });
}
