import type { Phase } from '../phases.js';

/** One statement an operation generates, run as its own step. */
export interface GeneratedStep {
  readonly sql: string;
  /** false for statements PostgreSQL refuses inside a transaction (CREATE INDEX CONCURRENTLY). */
  readonly transaction?: false;
}

/** What one operation adds to one phase. */
export interface PhaseOutput {
  readonly steps: readonly GeneratedStep[];
  /**
   * Statements that undo `steps`, in the order they run. Required before
   * contract (a phase there must stay undoable); omitted means "cannot be undone".
   */
  readonly down?: readonly string[];
  /** Queries returning one count that must be 0 once the phase is done. */
  readonly verify?: readonly string[];
}

/** The rows an operation brings to the new shape in the backfill phase, in keyset batches. */
export interface GeneratedBackfill {
  /** The table as SQL text (quoted, optionally schema-qualified). */
  readonly table: string;
  /** Items of the batch UPDATE's SET list ("b = (a)::bigint"). */
  readonly set: readonly string[];
  /** Which rows still need it; undefined walks every row. */
  readonly where?: string;
}

/**
 * SQL written by the migration's author inside an operation's parameters (an
 * `up` expression, a type, a CHECK): the parser checks it, naming its field,
 * before anything runs.
 */
export interface OperationFragment {
  /** The field: relative to the operation in OperationOutput ("up", "column.type"), "operations.<i>.<field>" once compiled. */
  readonly field: string;
  readonly kind: 'expression' | 'condition' | 'typeName';
  readonly sql: string;
}

/** A table (and column) an operation needs to find in the database, checked when one is reachable. */
export interface RequiredName {
  /** Relative to the operation in OperationOutput, "operations.<i>.<field>" once compiled. */
  readonly field: string;
  readonly schema: string | undefined;
  readonly table: string;
  readonly column?: string;
}

/** Everything one operation compiles to. */
export interface OperationOutput {
  readonly phases: Readonly<Partial<Record<Phase, PhaseOutput>>>;
  readonly backfill?: GeneratedBackfill;
  readonly fragments?: readonly OperationFragment[];
  /** Names that must exist before the operation's first phase runs. */
  readonly requires?: readonly RequiredName[];
  /** Tables the operation creates (so later operations and checks do not look for them in the database). */
  readonly creates?: readonly { readonly schema: string | undefined; readonly table: string }[];
}
