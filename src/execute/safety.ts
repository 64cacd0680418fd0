import { analyzeMigration, migrationFragments, relationKey, type AnalysisInput, type AnalysisResult, type Finding, type RelationLock, type StatementFacts } from '../analysis/index.js';
import { PhasegateError } from '../errors.js';
import type { Migration, Unit } from '../plan/index.js';
import type { Queryable } from '../pg/index.js';
import { databaseFacts, type DatabaseFacts } from './column-facts.js';

/** The analysis input for a whole migration: its SQL steps, phase by phase, as the runner sends them, and its SQL fragments. */
export function analysisInputFor(migration: Migration, pgVersion: number): AnalysisInput {
  return {
    migration: migration.id,
    file: migration.file,
    pgVersion,
    phases: migration.units.map((unit) => ({
      phase: unit.phase,
      steps: unit.steps.flatMap((step) => (step.kind === 'sql' ? [{ sql: step.sql, transactional: step.transactional }] : [])),
    })),
    fragments: migrationFragments(migration),
  };
}

/**
 * Runs an analysis with what the database knows about the tables it touches:
 * sizes (a rule that only matters on big tables is a warning on a small one),
 * column facts and the session time zone (proven-safe changes are not
 * errors). It runs twice because the first pass is what names the tables to
 * read; it is pure and fast, and a clean first pass is final.
 */
export async function analyzeWithSizes(db: Queryable, analyze: (facts?: DatabaseFacts) => Promise<AnalysisResult>): Promise<AnalysisResult> {
  const first = await analyze();
  if (first.findings.length === 0) return first;
  return analyze(await databaseFacts(db, touchedRelations(first.statements)));
}

/** A migration analysed against a live database of the given major version. */
export function analyzeAgainstDatabase(db: Queryable, migration: Migration, pgVersion: number): Promise<AnalysisResult> {
  const input = analysisInputFor(migration, pgVersion);
  return analyzeWithSizes(db, (facts) => analyzeMigration({ ...input, ...facts }));
}

/** Every relation the analysed statements lock, once each (by its exact name). */
export function touchedRelations(statements: readonly StatementFacts[]): RelationLock[] {
  const unique = new Map<string, RelationLock>();
  for (const lock of statements.flatMap((s) => s.locks)) unique.set(relationKey(lock.name), lock);
  return [...unique.values()];
}

/** The findings of one unit; throws REFUSED listing every error finding (docs/architecture.md, invariant 1). */
export function unitFindings(result: AnalysisResult, unit: Unit): Finding[] {
  const findings = result.findings.filter((f) => f.phase === unit.phase);
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    throw new PhasegateError(
      'REFUSED',
      [`${unit.migrationId} ${unit.phase}: refused by analysis; nothing of this phase ran`, ...errors.map(formatFinding)].join('\n'),
      { hint: 'use the safe form each finding suggests, or suppress a rule with a reasoned `-- phasegate:allow <rule> <reason>` comment' },
    );
  }
  return findings;
}

/** "step 2, line 1: [rule] message (hint: ...)" */
export function formatFinding(f: Finding): string {
  const where = [f.step === undefined ? undefined : `step ${f.step + 1}`, f.line === undefined ? undefined : `line ${f.line}`]
    .filter((x) => x !== undefined)
    .join(', ');
  return `  ${where === '' ? '' : `${where}: `}[${f.rule}] ${f.message} (hint: ${f.hint})`;
}
