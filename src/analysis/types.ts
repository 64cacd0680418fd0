import type { Phase } from '../plan/index.js';
import type { RelationName } from './relation.js';
import type { RuleId } from './rule-ids.js';

/** `info` says what the analysis could not see (dynamic SQL); it never refuses anything. */
export type Severity = 'error' | 'warning' | 'info';

/** One problem found in migration SQL. Plain data (like a zod issue); `report/` formats it. */
export interface Finding {
  readonly rule: RuleId;
  readonly severity: Severity;
  /** Names the table/column/index and says what PostgreSQL will do. */
  readonly message: string;
  /** The safe alternative. */
  readonly hint: string;
  /** Why the rule exists: the catalogue explanation for `rule`. */
  readonly explanation: string;
  readonly migration?: string;
  readonly phase?: Phase;
  readonly file?: string;
  /** 0-based step index inside the phase. */
  readonly step?: number;
  /** 1-based line of the statement inside the step's SQL text (or the .sql file). */
  readonly line?: number;
}

/** PostgreSQL's table-level lock modes, weakest first. */
export const LOCK_LEVELS = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;

export type LockLevel = (typeof LOCK_LEVELS)[number];

export interface RelationLock {
  /** The relation for people: schema-qualified only if written so, unquoted. */
  readonly relation: string;
  /** The exact parts as PostgreSQL parsed them: what the catalog resolves. */
  readonly name: RelationName;
  readonly level: LockLevel;
}

/** What one statement does to the database, for `migrate plan` and the rules. */
export interface StatementFacts {
  readonly sql: string;
  /** 1-based line inside the step's SQL text (or the .sql file). */
  readonly line: number;
  readonly step: number;
  readonly phase: Phase;
  /** `createIndex`, `alterTable`, `update`, `createTable`, `createFunction`, ... */
  readonly kind: string;
  /** The strongest lock per relation the statement takes. */
  readonly locks: readonly RelationLock[];
  /** How long the statement's locks are held; see LockDuration. */
  readonly lockDuration: LockDuration;
  readonly rewritesTable: boolean;
  /** Reads the whole table while holding a lock that blocks writes (validation, index build, SET NOT NULL). */
  readonly scansUnderStrongLock: boolean;
  /** PostgreSQL refuses to run it inside a transaction block (CONCURRENTLY, VACUUM, ...). */
  readonly mustRunOutsideTransaction: boolean;
  readonly isDml: boolean;
  /** The index a CREATE INDEX builds (in its table's schema when that was written); null otherwise. */
  readonly builtIndex: RelationName | null;
}

/**
 * How long a statement holds its locks: `brief` (catalog only), `transaction`
 * (brief work, but held until the COMMIT of a transaction that runs more
 * statements after it, or an explicit LOCK TABLE), `scan` (while it reads the
 * whole table), `rewrite` (while it copies the table). Shortest first.
 */
export const LOCK_DURATIONS = ['brief', 'transaction', 'scan', 'rewrite'] as const;

export type LockDuration = (typeof LOCK_DURATIONS)[number];

/** What the catalog says about one existing column, to recognise proven-safe changes. */
export interface CatalogColumn {
  /** SQL type as `format_type` prints it, e.g. `character varying(20)`. */
  readonly type: string;
  readonly notNull: boolean;
  readonly hasDefault: boolean;
  /** A validated `CHECK (column IS NOT NULL)` exists, so SET NOT NULL skips its scan (PG 12+). */
  readonly notNullCheck: boolean;
}

/** Size of a relation as `pg_total_relation_size` / `reltuples` report it. */
export interface TableSize {
  readonly bytes: number;
  readonly rows: number;
}

export interface AnalysisStep {
  readonly sql: string;
  /** The runner wraps the step in one transaction. */
  readonly transactional: boolean;
}

export interface AnalysisPhase {
  readonly phase: Phase;
  readonly steps: readonly AnalysisStep[];
}

/**
 * SQL a migration or config writes for phasegate to embed in its own
 * statements: `query` is a whole read-only SELECT (verify, healthQuery),
 * `condition` one boolean expression (backfill where), `setList` the SET list
 * of an UPDATE (backfill set).
 */
export interface SqlFragment {
  /** `expression` and `typeName` are written inside operations (an `up`, a column type). */
  readonly kind: 'query' | 'condition' | 'setList' | 'expression' | 'typeName';
  /** Where it is written, for messages: "migrations/x.ts: backfill.backfill.where". */
  readonly field: string;
  readonly sql: string;
}

export interface AnalysisInput {
  readonly migration?: string;
  readonly file?: string;
  /** In run order; tables created in an earlier phase or step count as new. */
  readonly phases: readonly AnalysisPhase[];
  /** Server major version, e.g. 15. */
  readonly pgVersion: number;
  /** When a database was reachable. Key: relation as written; unqualified lowercase names also match. */
  readonly tableSizes?: ReadonlyMap<string, TableSize>;
  /** Current column types (`table.column` → SQL type such as `varchar(20)`), to judge type changes exactly. */
  readonly columnTypes?: ReadonlyMap<string, string>;
  /** Catalog facts per existing column (`table.column`, keyed like columnTypes); its types win over columnTypes. */
  readonly catalogColumns?: ReadonlyMap<string, CatalogColumn>;
  /** The session's TimeZone setting when a database was reachable (decides timestamp → timestamptz). */
  readonly sessionTimeZone?: string;
  /** Size-dependent rules are warnings below this; default 10 MiB. */
  readonly largeTableBytes?: number;
  /** Checked before any statement is analysed; one bad fragment refuses the whole migration. */
  readonly fragments?: readonly SqlFragment[];
}

export interface SqlFileOptions {
  readonly phase: Phase;
  readonly pgVersion: number;
  readonly file?: string;
  readonly migration?: string;
  readonly tableSizes?: ReadonlyMap<string, TableSize>;
  readonly columnTypes?: ReadonlyMap<string, string>;
  readonly catalogColumns?: ReadonlyMap<string, CatalogColumn>;
  readonly sessionTimeZone?: string;
  readonly largeTableBytes?: number;
}

export interface AnalysisResult {
  readonly statements: readonly StatementFacts[];
  readonly findings: readonly Finding[];
  /** Per phase in run order: every relation the migration has created by the end of it (so it need not exist before). */
  readonly createdRelations: readonly { readonly phase: Phase; readonly names: readonly RelationName[] }[];
}

/** One statement cut out of a SQL text by the parser. */
export interface SplitStatement {
  readonly sql: string;
  /** 1-based line where the statement's first token is. */
  readonly line: number;
}
