import type { LockDuration, LockLevel, RuleId, Severity } from '../analysis/index.js';
import type { Phase } from '../plan/index.js';

/**
 * The plan report as data: everything `migrate plan` knows about the units
 * it describes, before any formatting. The JSON output is this value as is,
 * so field names are part of the documented schema (docs/plan-json-schema.md):
 * add fields freely, rename or remove only with a new `schemaVersion`.
 */
export interface PlanReport {
  readonly schemaVersion: 2;
  /** When the report was made (ISO 8601). */
  readonly generatedAt: string;
  /** Which units were asked for: the pending ones, every one, or the named migrations'. */
  readonly selection: PlanSelection;
  readonly database: DatabaseContext;
  /** In the order `advance` would run them. */
  readonly units: readonly UnitReport[];
  /** Every table or index a step locks, with its size when a database answered. */
  readonly relations: readonly RelationReport[];
  readonly summary: PlanSummary;
}

/** The current report schema version; bump it only for a breaking change. */
export const PLAN_REPORT_SCHEMA_VERSION = 2;

/** The formats `migrate plan` renders. */
export const PLAN_FORMATS = ['text', 'markdown', 'json', 'html'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

export type PlanSelection =
  | { readonly kind: 'pending' }
  | { readonly kind: 'all' }
  | { readonly kind: 'migrations'; readonly ids: readonly string[] };

/** Whether a database answered, and if not, what the report could not know. */
export type DatabaseContext =
  | {
      readonly kind: 'online';
      /** `server_version` as the server reports it. */
      readonly serverVersion: string;
      readonly pgVersion: number;
      /** false when phasegate never ran on this database (every unit is pending). */
      readonly stateInstalled: boolean;
    }
  | {
      readonly kind: 'offline';
      /** Why no database was used: no URL configured, or the connection failed. */
      readonly reason: string;
      /** The major version the analysis assumed. */
      readonly pgVersion: number;
      /** What the report could not know without a database, for people. */
      readonly unknown: readonly string[];
    };

/** Where a unit stands in the state store; `unknown` offline. */
export type UnitStateReport = 'pending' | 'running' | 'done' | 'failed' | 'rolledBack' | 'unknown';

export interface UnitReport {
  /** 1-based position in run order within this report. */
  readonly order: number;
  readonly migrationId: string;
  readonly description: string | null;
  /** The migration file's name (no directory, so reports do not leak paths). */
  readonly file: string;
  readonly phase: Phase;
  readonly state: UnitStateReport;
  readonly gate: GateReport;
  readonly rollback: RollbackReport;
  readonly steps: readonly StepReport[];
  /** All lint findings of the unit; steps list their own too. */
  readonly findings: readonly FindingReport[];
  /** The worst lock any step of the unit takes, by what it blocks and for how long; null when it takes none. */
  readonly worstLock: LockReport | null;
}

/** A gate and whether it holds now. */
export type GateReport =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'gate';
      /** The gate for people: `marker "api-v1-retired" and soak 24h`. */
      readonly text: string;
      /** `unknown` offline: markers, deploys and approvals live in the database. */
      readonly status: 'holds' | 'waiting' | 'unknown';
      /** What is missing while it waits; null otherwise. */
      readonly missing: string | null;
    };

export interface RollbackReport {
  readonly possible: boolean;
  /** Why or how, for people. */
  readonly note: string;
  /** The phase's `down` statements, in order. */
  readonly down: readonly string[];
}

/** What a lock level keeps other sessions from doing, weakest first. */
export type LockImpact = 'nothing' | 'ddl' | 'writes' | 'readsAndWrites';

export interface LockReport {
  readonly relation: string;
  readonly level: LockLevel;
  readonly blocks: LockImpact;
  /** How long it is held: `brief` (catalog only), `transaction` (until COMMIT, past the statement), `scan` or `rewrite`. */
  readonly held: LockDuration;
}

export interface FindingReport {
  readonly rule: RuleId;
  readonly severity: Severity;
  readonly message: string;
  readonly hint: string;
  /** 0-based step index in the unit; null for findings about the whole phase. */
  readonly step: number | null;
  readonly line: number | null;
}

export interface StatementReport {
  /** 1-based line inside the step's SQL. */
  readonly line: number;
  /** The parser's classification: `alterTable`, `createIndex`, ... */
  readonly kind: string;
  readonly sql: string;
  readonly locks: readonly LockReport[];
  readonly rewritesTable: boolean;
  readonly scansUnderStrongLock: boolean;
  readonly mustRunOutsideTransaction: boolean;
}

export interface TimeoutsReport {
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

export type StepReport = SqlStepReport | BackfillStepReport | VerifyStepReport;

export interface SqlStepReport {
  readonly kind: 'sql';
  /** 0-based index in the unit, as the state store records it. */
  readonly index: number;
  readonly sql: string;
  readonly transactional: boolean;
  readonly timeouts: TimeoutsReport;
  /** Attempts when the statement times out waiting for its lock. */
  readonly lockAttempts: number;
  readonly statements: readonly StatementReport[];
  readonly findings: readonly FindingReport[];
}

export interface BackfillStepReport {
  readonly kind: 'backfill';
  readonly index: number;
  readonly table: string;
  readonly set: string;
  readonly where: string | null;
  /** The first batch's size. */
  readonly batchSize: number;
  /** Whether batch sizes adapt to `targetBatchMs` (false when the spec fixes the size). */
  readonly adaptive: boolean;
  readonly minBatchSize: number;
  readonly maxBatchSize: number;
  readonly targetBatchMs: number;
  /** Each batch runs under this statement timeout. */
  readonly statementTimeoutMs: number;
  /** What pauses the batches, for people (health throttles, rate limits, `migrate pause`). */
  readonly throttles: readonly string[];
  readonly locks: readonly LockReport[];
  /** The first batch's UPDATE as the engine sends it, for EXPLAIN. */
  readonly batchSql: string;
  readonly estimate: BackfillEstimate;
  readonly explain: ExplainReport;
}

export interface BackfillEstimate {
  /** Rows left to visit: the planner's estimate minus rows already done; null offline. */
  readonly rows: number | null;
  /** Rows already done by an earlier run; null when it never started or offline. */
  readonly rowsDone: number | null;
  readonly batches: number | null;
  readonly ratePerSecond: number | null;
  /** `recorded`: this backfill's own progress; `database`: the median of other backfills here. */
  readonly rateSource: 'recorded' | 'database' | 'none';
  readonly durationMs: number | null;
}

export interface VerifyStepReport {
  readonly kind: 'verify';
  readonly index: number;
  readonly query: string;
  readonly statementTimeoutMs: number;
  readonly explain: ExplainReport;
}

/** EXPLAIN output (never ANALYZE: nothing is executed), or why there is none. */
export type ExplainReport =
  | { readonly kind: 'plan'; readonly text: string }
  | { readonly kind: 'unavailable'; readonly reason: string };

export interface IndexSize {
  readonly name: string;
  readonly bytes: number;
}

/** A relation some step locks. Sizes are null offline or when it does not exist yet. */
export interface RelationReport {
  readonly name: string;
  /** null offline; false when an earlier step of the plan creates it. */
  readonly exists: boolean | null;
  readonly totalBytes: number | null;
  readonly tableBytes: number | null;
  readonly indexBytes: number | null;
  readonly rowEstimate: number | null;
  readonly indexes: readonly IndexSize[];
  /** Units (`<id>:<phase>`) that lock it. */
  readonly lockedBy: readonly string[];
}

export interface WorstLock extends LockReport {
  readonly migrationId: string;
  readonly phase: Phase;
  readonly step: number;
}

export interface PlanSummary {
  readonly units: number;
  readonly steps: number;
  readonly errors: number;
  readonly warnings: number;
  readonly worstLock: WorstLock | null;
  /** Null offline or when no touched table exists yet. */
  readonly biggestTable: { readonly name: string; readonly totalBytes: number; readonly rowEstimate: number | null } | null;
  readonly rewrites: number;
  readonly scansUnderStrongLock: number;
  /** Units whose gate does not hold now (0 offline: unknown). */
  readonly gatesWaiting: number;
  readonly irreversibleUnits: number;
  /** Sum of the backfill estimates; null when any is unknown. */
  readonly backfillEstimateMs: number | null;
}
