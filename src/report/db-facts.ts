import type { RelationSize } from '../pg/index.js';
import type { ExplainReport, UnitStateReport } from './plan-report.js';

/** A relation's size as the catalog reports it. */
export type RelationFacts = RelationSize;

/** A backfill's recorded progress in the state store. */
export interface BackfillFacts {
  /** Keys walked so far. */
  readonly rowsDone: number;
  readonly batches: number;
  /** Rows per second at its last batches, as the engine records it; null before its first batch. */
  readonly ratePerSecond: number | null;
  readonly finished: boolean;
}

/** Whether a unit's gate holds now, as the engine judges it. */
export type GateFact = { readonly holds: true } | { readonly holds: false; readonly missing: string };

/**
 * What a database told the report. Collected by `collectDbFacts`; the report
 * builder is a pure function of these and the plan.
 */
export interface DbFacts {
  readonly serverVersion: string;
  readonly pgVersion: number;
  readonly stateInstalled: boolean;
  /** Per unit name (`<id>:<phase>`); absent means pending. */
  readonly unitStates: ReadonlyMap<string, Exclude<UnitStateReport, 'pending' | 'unknown'>>;
  /** Per unit name. */
  readonly gates: ReadonlyMap<string, GateFact>;
  /** Per relation as written in the SQL (or in backfill.table); null when it does not exist. */
  readonly relations: ReadonlyMap<string, RelationFacts | null>;
  /** Per backfill step key: its first batch's UPDATE, built by the engine over the key the engine picks. */
  readonly batchSql: ReadonlyMap<string, string>;
  /** Per step key (`<id>:<phase>#<index>`). */
  readonly explains: ReadonlyMap<string, ExplainReport>;
  /** Per migration id. */
  readonly backfills: ReadonlyMap<string, BackfillFacts>;
  /** The median rate of other backfills recorded here; a stand-in for ones that never ran. */
  readonly typicalBackfillRate: number | null;
}

/** What the report knows about the database: facts, or why there are none. */
export type DbContext =
  | { readonly kind: 'online'; readonly facts: DbFacts }
  | { readonly kind: 'offline'; readonly reason: string; readonly pgVersion: number };

/** The key explains are filed under. */
export function stepKey(unitName: string, index: number): string {
  return `${unitName}#${index}`;
}
