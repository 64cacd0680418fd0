import type { Phase } from './phases.js';
import type { OperationFragment, RequiredName } from './operations/output.js';
import type { BackfillSpec, Gate } from './schema.js';

/** The two timeouts every statement runs under. */
export interface Timeouts {
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

/** One SQL statement run as its own step. */
export interface SqlStep {
  readonly kind: 'sql';
  readonly sql: string;
  /** false for statements PostgreSQL refuses inside a transaction. */
  readonly transactional: boolean;
  readonly lockTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
}

/** Keyset batches that bring existing rows to the new shape. */
export interface BackfillStep {
  readonly kind: 'backfill';
  readonly spec: BackfillSpec;
}

/** A query that must return 0 before the phase counts as done. */
export interface VerifyStep {
  readonly kind: 'verify';
  readonly query: string;
}

export type Step = SqlStep | BackfillStep | VerifyStep;

/** One phase of one migration: the thing `advance` runs and records. */
export interface Unit {
  readonly migrationId: string;
  readonly phase: Phase;
  readonly gate: Gate | undefined;
  /** In run order: SQL steps, then the backfill, then verify. */
  readonly steps: readonly Step[];
  readonly down: readonly string[] | undefined;
}

export interface Migration {
  /** The file name without extension; migrations run in string order of ids. */
  readonly id: string;
  readonly description: string | undefined;
  /** The file it was loaded from, for messages. */
  readonly file: string;
  /** Only the phases it declares, in phase order. */
  readonly units: readonly Unit[];
  /** One fingerprint per declared phase: a hash of what that phase does, SQL as written. */
  readonly fingerprints: Readonly<Partial<Record<Phase, string>>>;
  /** SQL written inside operations' parameters, checked by the parser with its field. */
  readonly operationFragments: readonly OperationFragment[];
  /** Tables and columns the operations need to find in the database. */
  readonly requiredNames: readonly RequiredName[];
}

/** How a unit is named in the state store and in messages: "<id>:<phase>". */
export function unitName(unit: Pick<Unit, 'migrationId' | 'phase'>): string {
  return `${unit.migrationId}:${unit.phase}`;
}
