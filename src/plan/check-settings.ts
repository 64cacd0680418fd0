import { formatDuration } from './duration.js';
import type { Migration, SqlStep, Timeouts, Unit } from './model.js';
import type { BackfillTuning } from './schema.js';

/** The config settings a migration's own timeouts and batch bounds combine with. */
export interface MigrationDefaults {
  readonly timeouts: Timeouts;
  readonly nonTransactionalTimeouts: Timeouts;
  readonly backfill: BackfillTuning;
}

/**
 * What a migration sets that cannot work together with itself or with the
 * config's defaults: a step whose lock wait could outlast the statement, or
 * batch bounds with no size between them. One "file: where: what" line each;
 * without `defaults` only values the file sets on both sides are compared.
 */
export function settingsProblems(migration: Migration, defaults?: MigrationDefaults): string[] {
  return migration.units.flatMap((unit) => [
    ...unit.steps.flatMap((step, index) => (step.kind === 'sql' ? stepTimeoutProblems(migration.file, unit, step, index, defaults) : [])),
    ...batchBoundProblems(migration.file, unit, defaults),
  ]);
}

function stepTimeoutProblems(file: string, unit: Unit, step: SqlStep, index: number, defaults: MigrationDefaults | undefined): string[] {
  if (step.lockTimeoutMs === undefined && step.statementTimeoutMs === undefined) return [];
  const key = step.transactional ? 'timeouts' : 'nonTransactionalTimeouts';
  const fallback = defaults?.[key];
  const lock = side(step.lockTimeoutMs, fallback?.lockTimeoutMs, `config ${key}.lockTimeout`);
  const statement = side(step.statementTimeoutMs, fallback?.statementTimeoutMs, `config ${key}.statementTimeout`);
  if (lock === undefined || statement === undefined || lock.ms < statement.ms) return [];
  return [
    `${file}: ${unit.phase}.steps.${index + 1}: lockTimeout (${lock.text}) must be shorter than statementTimeout (${statement.text}): ` +
      'the lock wait is part of the statement',
  ];
}

function side(own: number | undefined, fallback: number | undefined, source: string): { ms: number; text: string } | undefined {
  if (own !== undefined) return { ms: own, text: formatDuration(own) };
  if (fallback !== undefined) return { ms: fallback, text: `${formatDuration(fallback)} from ${source}` };
  return undefined;
}

function batchBoundProblems(file: string, unit: Unit, defaults: MigrationDefaults | undefined): string[] {
  const spec = unit.steps.find((step) => step.kind === 'backfill')?.spec;
  if (spec === undefined || defaults === undefined || spec.batchSize !== undefined) return [];
  const min = spec.minBatchSize ?? defaults.backfill.minBatchSize;
  const max = spec.maxBatchSize ?? defaults.backfill.maxBatchSize;
  if (min === undefined || max === undefined || min <= max) return [];
  const from = (own: number | undefined): string => (own === undefined ? ' from config backfill' : '');
  return [
    `${file}: ${unit.phase}.backfill: minBatchSize (${min}${from(spec.minBatchSize)}) must not be above maxBatchSize (${max}${from(spec.maxBatchSize)})`,
  ];
}
