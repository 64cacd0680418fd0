import type { AnalysisResult, Finding } from '../analysis/index.js';
import { assertNever } from '../errors.js';
import { batchUpdate, type BackfillDefaults, type ExecutionPolicy } from '../execute/index.js';
import { unitName, type BackfillStep, type SqlStep, type Unit } from '../plan/index.js';
import { backfillPacing } from './backfill-pacing.js';
import { stepKey, type DbContext } from './db-facts.js';
import { lockReport } from './lock-impact.js';
import type {
  BackfillEstimate,
  BackfillStepReport,
  ExplainReport,
  FindingReport,
  SqlStepReport,
  StepReport,
  UnitStateReport,
} from './plan-report.js';

/** The settings steps run under: the config's timeouts and retries, and backfill defaults. */
export interface PlanSettings extends Pick<ExecutionPolicy, 'timeouts' | 'nonTransactionalTimeouts' | 'lockRetries'> {
  readonly backfill: BackfillDefaults;
}

/** What building one unit's steps needs. */
export interface StepContext {
  readonly unit: Unit;
  readonly state: UnitStateReport;
  readonly analysis: AnalysisResult | undefined;
  readonly settings: PlanSettings;
  readonly db: DbContext;
}

const OFFLINE_EXPLAIN: ExplainReport = { kind: 'unavailable', reason: 'offline: EXPLAIN needs a database' };

/** The findings of one unit, in the report's shape. */
export function unitFindings(unit: Unit, analysis: AnalysisResult | undefined): FindingReport[] {
  return (analysis?.findings ?? []).filter((f) => f.phase === undefined || f.phase === unit.phase).map(findingReport);
}

function findingReport(f: Finding): FindingReport {
  return { rule: f.rule, severity: f.severity, message: f.message, hint: f.hint, step: f.step ?? null, line: f.line ?? null };
}

/** One report entry per step, in run order. */
export function buildSteps(ctx: StepContext): StepReport[] {
  return ctx.unit.steps.map((step, index): StepReport => {
    switch (step.kind) {
      case 'sql':
        return sqlStep(ctx, step, index);
      case 'backfill':
        return backfillStep(ctx, step, index);
      case 'verify':
        return {
          kind: 'verify',
          index,
          query: step.query,
          statementTimeoutMs: ctx.settings.timeouts.statementTimeoutMs,
          explain: explainFor(ctx, index),
        };
      default:
        return assertNever(step);
    }
  });
}

function sqlStep(ctx: StepContext, step: SqlStep, index: number): SqlStepReport {
  const { unit, analysis, settings } = ctx;
  // Same choice as the runner: CONCURRENTLY builds wait for every older transaction, so they get their own timeouts.
  const defaults = step.transactional ? settings.timeouts : settings.nonTransactionalTimeouts;
  const statements = (analysis?.statements ?? []).filter((s) => s.phase === unit.phase && s.step === index);
  return {
    kind: 'sql',
    index,
    sql: step.sql,
    transactional: step.transactional,
    timeouts: {
      lockTimeoutMs: step.lockTimeoutMs ?? defaults.lockTimeoutMs,
      statementTimeoutMs: step.statementTimeoutMs ?? defaults.statementTimeoutMs,
    },
    lockAttempts: settings.lockRetries,
    statements: statements.map((s) => ({
      line: s.line,
      kind: s.kind,
      sql: s.sql,
      locks: s.locks.map((lock) => lockReport(lock, s.lockDuration)),
      rewritesTable: s.rewritesTable,
      scansUnderStrongLock: s.scansUnderStrongLock,
      mustRunOutsideTransaction: s.mustRunOutsideTransaction,
    })),
    findings: unitFindings(unit, analysis).filter((f) => f.step === index),
  };
}

function backfillStep(ctx: StepContext, step: BackfillStep, index: number): BackfillStepReport {
  const { spec } = step;
  const pacing = backfillPacing(spec, ctx.settings.backfill);
  const engineSql = ctx.db.kind === 'online' ? ctx.db.facts.batchSql.get(stepKey(unitName(ctx.unit), index)) : undefined;
  return {
    kind: 'backfill',
    index,
    table: spec.table,
    set: spec.set,
    where: spec.where ?? null,
    batchSize: pacing.batchSize,
    adaptive: pacing.adaptive,
    minBatchSize: pacing.minBatchSize,
    maxBatchSize: pacing.maxBatchSize,
    targetBatchMs: pacing.targetBatchMs,
    statementTimeoutMs: pacing.statementTimeoutMs,
    throttles: pacing.throttles,
    // Each batch is an UPDATE: ROW EXCLUSIVE, which blocks no reads or writes, only row locks on the batch.
    // Each batch is its own short transaction.
    locks: [lockReport({ relation: spec.table, level: 'ROW EXCLUSIVE' }, 'brief')],
    // Offline the key is unknown: the same UPDATE with the key named for people.
    batchSql: engineSql ?? batchUpdate(spec, spec.table, '(<key>) <= ($1)'),
    estimate: estimateBackfill(ctx, spec.table, pacing.batchSize),
    explain: explainFor(ctx, index),
  };
}

function estimateBackfill(ctx: StepContext, table: string, batchSize: number): BackfillEstimate {
  const none: BackfillEstimate = { rows: null, rowsDone: null, batches: null, ratePerSecond: null, rateSource: 'none', durationMs: null };
  if (ctx.db.kind === 'offline') return none;
  const { facts } = ctx.db;
  const progress = facts.backfills.get(ctx.unit.migrationId);
  const size = facts.relations.get(table) ?? null;
  const rowsDone = progress?.rowsDone ?? null;
  const rows = ctx.state === 'done' || progress?.finished === true ? 0 : size === null ? null : Math.max(0, Math.round(size.rows) - (rowsDone ?? 0));
  const recorded = progress?.ratePerSecond ?? null;
  const ratePerSecond = recorded ?? facts.typicalBackfillRate;
  const rateSource = recorded !== null ? 'recorded' : ratePerSecond !== null ? 'database' : 'none';
  return {
    rows,
    rowsDone,
    batches: rows === null ? null : Math.ceil(rows / batchSize),
    ratePerSecond: ratePerSecond === null ? null : Math.round(ratePerSecond),
    rateSource,
    durationMs: rows === null || ratePerSecond === null || ratePerSecond <= 0 ? null : Math.round((rows / ratePerSecond) * 1000),
  };
}

function explainFor(ctx: StepContext, index: number): ExplainReport {
  if (ctx.db.kind === 'offline') return OFFLINE_EXPLAIN;
  return ctx.db.facts.explains.get(stepKey(unitName(ctx.unit), index)) ?? { kind: 'unavailable', reason: 'not explained' };
}
