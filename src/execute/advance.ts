import pino, { type Logger } from 'pino';
import type { AnalysisResult } from '../analysis/index.js';
import type { BackfillProgress } from '../backfill/index.js';
import { assertNever, PhasegateError } from '../errors.js';
import { evaluateGate } from '../gates/index.js';
import { changedPhases, compareIds, orderUnits, phaseIndex, unitName, type Migration, type Phase, type Unit } from '../plan/index.js';
import { acquireRunnerLock, ensureStateSchema, releaseRunnerLock, StateStore, type Queryable, type UnitRecord } from '../state/index.js';
import { gateFactsFor, type StateSnapshot } from './gate-facts.js';
import type { ExecutionPolicy } from './policy.js';
import { readState } from './read-state.js';
import { runUnit, type StepDone } from './run-unit.js';
import { serverMajorVersion } from './catalog.js';
import { analyzeAgainstDatabase, unitFindings } from './safety.js';

export interface UnitTarget {
  readonly migrationId: string;
  readonly phase?: Phase | undefined;
}

export interface AdvanceOptions {
  /** A dedicated session: it holds the runner's advisory lock for the whole run. */
  readonly db: Queryable;
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
  /** Stop a backfill after the batch in flight once this much time has passed. */
  readonly timeBudgetMs?: number | undefined;
  /** Aborting stops after the batch or unit in flight (SIGINT/SIGTERM). */
  readonly signal?: AbortSignal | undefined;
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

export type StopReason = 'gate' | 'backfill-in-progress' | 'interrupted' | 'refused' | 'error' | 'locked';

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
  const logger = options.logger ?? pino({ enabled: false });
  const selected = selectUnits(options.migrations, options.to);

  if (!dryRun && !(await acquireRunnerLock(db, schema, options.waitMs ?? 0))) {
    return {
      dryRun,
      ran: [],
      stoppedAt: {
        migration: null,
        phase: null,
        reason: 'locked',
        detail: 'another runner holds the lock on this database; it will finish the work (or use --wait <duration>)',
      },
    };
  }
  try {
    if (!dryRun) await ensureStateSchema(db, schema);
    const store = new StateStore(db, schema);
    const snapshot = await readState(db, store, schema);
    assertUnchanged(options.migrations, snapshot);
    const units = new Map(snapshot.units);
    let now = options.now ?? snapshot.now;
    const signal = combineSignals(options.signal, options.timeBudgetMs);
    const byId = new Map(options.migrations.map((m) => [m.id, m]));
    const ran: RanUnit[] = [];
    const stop = (unit: Unit, reason: StopReason, detail: string, error?: PhasegateError): AdvanceResult => ({
      dryRun,
      ran,
      stoppedAt: { migration: unit.migrationId, phase: unit.phase, reason, detail, ...(error === undefined ? {} : { error }) },
    });

    // SQL that does not parse is bad input: find it before anything runs.
    const analyses = new Map<string, AnalysisResult>();
    let pgVersion: number | undefined;
    for (const unit of selected) {
      if (units.get(unitName(unit))?.state === 'done' || analyses.has(unit.migrationId)) continue;
      pgVersion ??= await serverMajorVersion(db);
      analyses.set(unit.migrationId, await analyzeAgainstDatabase(db, byId.get(unit.migrationId) as Migration, pgVersion));
    }

    for (const unit of selected) {
      if (units.get(unitName(unit))?.state === 'done') continue;
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
          logger.warn({ migration: unit.migrationId, phase: unit.phase, rule: finding.rule, step: finding.step }, finding.message);
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
      logger.info({ migration: unit.migrationId, phase: unit.phase }, 'unit started');
      const started = performance.now();
      try {
        const analysis = analyses.get(unit.migrationId) as AnalysisResult;
        const outcome = await runUnit({ db, store, policy: options.policy, logger, signal, onProgress: options.onProgress, onStepDone: options.onStepDone, analysis }, migration, unit);
        if (outcome === 'stopped') return stop(unit, 'backfill-in-progress', 'the backfill stopped after the batch in flight; run advance again to continue');
      } catch (error) {
        const failure = error instanceof PhasegateError ? error : new PhasegateError('STEP_FAILED', String(error), { cause: error });
        logger.error({ migration: unit.migrationId, phase: unit.phase, code: failure.code, error: failure.message }, 'unit failed');
        return stop(unit, failure.code === 'REFUSED' ? 'refused' : 'error', failure.message, failure);
      }
      const durationMs = Math.round(performance.now() - started);
      logger.info({ migration: unit.migrationId, phase: unit.phase, durationMs }, 'unit done');
      ran.push({ migration: unit.migrationId, phase: unit.phase, durationMs });
      // The unit's finish time is the database's; soak gates after it compare against a fresh clock.
      for (const record of await store.units()) units.set(unitName(record), record);
      now = options.now ?? (await store.now());
    }
    return { dryRun, ran, stoppedAt: null };
  } finally {
    if (!dryRun) await releaseRunnerLock(db, schema).catch(() => undefined);
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

/** Invariant 4: a started migration may not change; name the phases that did. */
function assertUnchanged(migrations: readonly Migration[], state: StateSnapshot): void {
  const problems = migrations.flatMap((m) => {
    const recorded = state.fingerprints.get(m.id);
    if (recorded === undefined) return [];
    const changed = changedPhases(recorded, m.fingerprints);
    return changed.length === 0 ? [] : [`${m.file}: changed after it started (phases: ${changed.join(', ')})`];
  });
  if (problems.length > 0) {
    throw new PhasegateError('FINGERPRINT_MISMATCH', problems.join('\n'), {
      hint: 'a migration that has started is immutable: restore the file and put the change in a new migration',
    });
  }
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
  const signals = [signal, budgetMs === undefined ? undefined : AbortSignal.timeout(budgetMs)].filter(
    (s): s is AbortSignal => s !== undefined,
  );
  return signals.length === 0 ? undefined : AbortSignal.any(signals);
}
