import path from 'node:path';
import type { AnalysisResult } from '../analysis/index.js';
import { redactDeep } from '../secrets.js';
import { unitName, type Migration, type Unit } from '../plan/index.js';
import { buildSteps, unitFindings, type PlanSettings } from './build-steps.js';
import type { DbContext } from './db-facts.js';
import { describeGate } from './describe-gate.js';
import { worstLock } from './lock-impact.js';
import type {
  DatabaseContext,
  GateReport,
  LockReport,
  PlanReport,
  PlanSelection,
  PlanSummary,
  RelationReport,
  RollbackReport,
  UnitReport,
  UnitStateReport,
  WorstLock,
} from './plan-report.js';

/** Everything a plan report is built from; no I/O happens past this point. */
export interface PlanReportInput {
  readonly migrations: readonly Migration[];
  /** The units to describe, in run order. */
  readonly units: readonly Unit[];
  readonly selection: PlanSelection;
  /** Per migration id, analysed with the server's version and table sizes when known. */
  readonly analyses: ReadonlyMap<string, AnalysisResult>;
  readonly settings: PlanSettings;
  readonly db: DbContext;
  readonly now: Date;
}

/** What a report made without a database cannot say; listed in the report itself. */
export const OFFLINE_UNKNOWNS: readonly string[] = [
  'which units already ran (every unit of the selection is listed)',
  'whether gates hold (markers, deploys and approvals live in the database)',
  'table and index sizes and row estimates',
  'backfill row counts, rates and durations',
  'EXPLAIN of backfill batches and verify queries',
  'the server version (analysis assumed the one given)',
];

/**
 * Builds the plan report: a pure function of the plan, its analysis and what
 * the database said. Every string in it is redacted here, once for all formats.
 */
export function buildPlanReport(input: PlanReportInput): PlanReport {
  const byId = new Map(input.migrations.map((m) => [m.id, m]));
  const units = input.units.map((unit, i) => buildUnit(input, unit, byId.get(unit.migrationId), i + 1));
  const relations = buildRelations(input.db, units);
  return redactDeep({
    schemaVersion: 2,
    generatedAt: input.now.toISOString(),
    selection: input.selection,
    database: databaseContext(input.db),
    units,
    relations,
    summary: summarise(units, relations),
  });
}

function databaseContext(db: DbContext): DatabaseContext {
  if (db.kind === 'offline') return { kind: 'offline', reason: db.reason, pgVersion: db.pgVersion, unknown: OFFLINE_UNKNOWNS };
  const { serverVersion, pgVersion, stateInstalled } = db.facts;
  return { kind: 'online', serverVersion, pgVersion, stateInstalled };
}

function buildUnit(input: PlanReportInput, unit: Unit, migration: Migration | undefined, order: number): UnitReport {
  const name = unitName(unit);
  const state: UnitStateReport = input.db.kind === 'offline' ? 'unknown' : (input.db.facts.unitStates.get(name) ?? 'pending');
  const analysis = input.analyses.get(unit.migrationId);
  const steps = buildSteps({ unit, state, analysis, settings: input.settings, db: input.db });
  const locks = steps.flatMap((s): LockReport[] =>
    s.kind === 'sql' ? s.statements.flatMap((st) => st.locks) : s.kind === 'backfill' ? [...s.locks] : [],
  );
  return {
    order,
    migrationId: unit.migrationId,
    description: migration?.description ?? null,
    file: migration === undefined ? '' : path.basename(migration.file),
    phase: unit.phase,
    state,
    gate: gateReport(input.db, unit, state),
    rollback: rollbackReport(unit),
    steps,
    findings: unitFindings(unit, analysis),
    worstLock: worstLock(locks),
  };
}

function gateReport(db: DbContext, unit: Unit, state: UnitStateReport): GateReport {
  if (unit.gate === undefined) return { kind: 'none' };
  const text = describeGate(unit.gate);
  if (db.kind === 'offline') return { kind: 'gate', text, status: 'unknown', missing: null };
  // A unit that ran got past its gate; judging it again would only confuse.
  const verdict = state === 'done' || state === 'running' ? { holds: true as const } : db.facts.gates.get(unitName(unit));
  if (verdict === undefined) return { kind: 'gate', text, status: 'unknown', missing: null };
  return verdict.holds ? { kind: 'gate', text, status: 'holds', missing: null } : { kind: 'gate', text, status: 'waiting', missing: verdict.missing };
}

/** Mirrors the checks `migrate rollback` makes before it runs anything. */
function rollbackReport(unit: Unit): RollbackReport {
  const down = unit.down ?? [];
  if (unit.phase === 'contract' || unit.phase === 'drop') {
    return { possible: false, note: `not after ${unit.phase} has run: state A is gone; move forward with a new migration`, down };
  }
  if (!unit.steps.some((s) => s.kind === 'sql')) {
    return { possible: true, note: 'nothing to undo: the phase runs no DDL', down };
  }
  if (down.length === 0) return { possible: false, note: 'no down statements: move forward with a new migration', down };
  return { possible: true, note: `runs ${down.length} down statement${down.length === 1 ? '' : 's'} in one transaction`, down };
}

function buildRelations(db: DbContext, units: readonly UnitReport[]): RelationReport[] {
  const lockedBy = new Map<string, string[]>();
  for (const unit of units) {
    for (const lock of unitLocks(unit)) {
      const list = lockedBy.get(lock.relation) ?? [];
      const name = `${unit.migrationId}:${unit.phase}`;
      if (!list.includes(name)) list.push(name);
      lockedBy.set(lock.relation, list);
    }
  }
  return [...lockedBy.entries()].map(([name, by]): RelationReport => {
    const facts = db.kind === 'online' ? db.facts.relations.get(name) : undefined;
    const unknown = { totalBytes: null, tableBytes: null, indexBytes: null, rowEstimate: null, indexes: [] };
    if (db.kind === 'offline' || facts === undefined) return { name, exists: null, ...unknown, lockedBy: by };
    if (facts === null) return { name, exists: false, ...unknown, lockedBy: by };
    return {
      name,
      exists: true,
      totalBytes: facts.bytes,
      tableBytes: facts.tableBytes,
      indexBytes: facts.indexBytes,
      rowEstimate: Math.round(facts.rows),
      indexes: facts.indexes,
      lockedBy: by,
    };
  });
}

function unitLocks(unit: UnitReport): WorstLock[] {
  return unit.steps.flatMap((s) => {
    const locks = s.kind === 'sql' ? s.statements.flatMap((st) => st.locks) : s.kind === 'backfill' ? s.locks : [];
    return locks.map((l) => ({ ...l, migrationId: unit.migrationId, phase: unit.phase, step: s.index }));
  });
}

function summarise(units: readonly UnitReport[], relations: readonly RelationReport[]): PlanSummary {
  const findings = units.flatMap((u) => u.findings);
  const statements = units.flatMap((u) => u.steps.flatMap((s) => (s.kind === 'sql' ? s.statements : [])));
  const backfills = units.flatMap((u) => u.steps.flatMap((s) => (s.kind === 'backfill' ? [s.estimate.durationMs] : [])));
  let biggest: PlanSummary['biggestTable'] = null;
  for (const r of relations) {
    if (r.totalBytes !== null && (biggest === null || r.totalBytes > biggest.totalBytes)) {
      biggest = { name: r.name, totalBytes: r.totalBytes, rowEstimate: r.rowEstimate };
    }
  }
  const worst = worstLock(units.flatMap(unitLocks));
  return {
    units: units.length,
    steps: units.reduce((n, u) => n + u.steps.length, 0),
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    worstLock: worst,
    biggestTable: biggest,
    rewrites: statements.filter((s) => s.rewritesTable).length,
    scansUnderStrongLock: statements.filter((s) => s.scansUnderStrongLock).length,
    gatesWaiting: units.filter((u) => u.gate.kind === 'gate' && u.gate.status === 'waiting').length,
    irreversibleUnits: units.filter((u) => !u.rollback.possible).length,
    backfillEstimateMs: backfills.some((d) => d === null) ? null : backfills.reduce<number>((a, d) => a + (d ?? 0), 0),
  };
}

