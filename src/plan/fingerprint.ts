import { createHash } from 'node:crypto';
import { assertNever } from '../errors.js';
import type { Phase } from './phases.js';
import type { Step, Unit } from './model.js';

/** How a piece of SQL is written in a migration, so a parser knows how to read it. */
export type SqlForm = 'statements' | 'setList' | 'condition';

/** Maps SQL text to a form in which equal meaning gives equal text (e.g. a parse tree). */
export type SqlNormalizer = (sql: string, form: SqlForm) => string;

const asWritten: SqlNormalizer = (sql) => sql;

/**
 * A unit's fingerprint: a hash of everything that decides what the phase does
 * (its SQL, backfill target, gate and down), not of how fast or how patiently
 * it runs: timeouts and backfill pacing may be retuned at any time. Key order
 * is fixed; with a parser as `normalize`, whitespace and comments do not count.
 */
export function fingerprintUnit(unit: Unit, normalize: SqlNormalizer = asWritten): string {
  const meaning = {
    steps: unit.steps.map((step) => stepMeaning(step, normalize)),
    gate: unit.gate,
    down: unit.down?.map((sql) => normalize(sql, 'statements')),
  };
  return hash(meaning);
}

/** Each declared phase's fingerprint. */
export function fingerprintUnits(units: readonly Unit[], normalize: SqlNormalizer = asWritten): Partial<Record<Phase, string>> {
  return Object.fromEntries(units.map((unit) => [unit.phase, fingerprintUnit(unit, normalize)]));
}

/**
 * The hash state schemas before version 3 recorded: the whole definition,
 * knobs included. Only compared with what such a schema holds.
 */
export function legacyFingerprintUnit(unit: Unit): string {
  return hash({ steps: unit.steps, gate: unit.gate, down: unit.down });
}

/** The phases whose fingerprint differs between what ran and what is on disk. */
export function changedPhases(
  recorded: Readonly<Partial<Record<Phase, string>>>,
  current: Readonly<Partial<Record<Phase, string>>>,
): Phase[] {
  const phases = new Set([...Object.keys(recorded), ...Object.keys(current)] as Phase[]);
  return [...phases].filter((phase) => recorded[phase] !== current[phase]);
}

function stepMeaning(step: Step, normalize: SqlNormalizer): object {
  switch (step.kind) {
    case 'sql':
      return { kind: step.kind, sql: normalize(step.sql, 'statements'), transactional: step.transactional };
    case 'backfill': {
      const { table, set, where } = step.spec;
      return { kind: step.kind, table, set: normalize(set, 'setList'), where: where === undefined ? undefined : normalize(where, 'condition') };
    }
    case 'verify':
      return { kind: step.kind, query: normalize(step.query, 'statements') };
    default:
      return assertNever(step);
  }
}

function hash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
