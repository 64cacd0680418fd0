import type { Phase } from '../plan/index.js';
import type { WindowEnd, WindowStart } from './window.js';

/** What kind of break: a statement error, a false `-- assert`, or a driver's cached plan invalidated by DDL. */
export type FailureClass = 'error' | 'assertion' | 'cachedPlan';

/** One broken expectation. `step` is the 1-based step of `phase` after which (check) or during which (traffic) it broke; 0 = before any rehearsed step. */
export interface RehearsalFailure {
  readonly app: string;
  readonly migration: string | null;
  readonly phase: Phase | null;
  readonly step: number;
  readonly statement: string;
  readonly error: string;
  readonly class: FailureClass;
  readonly source: 'check' | 'traffic' | 'verify';
  /** How often traffic hit it during that step (1 for checks). */
  readonly count: number;
  /** What to do about this class of break. */
  readonly advice: string;
}

/** Whether an app version's check passed at a boundary; 'outside' = not expected to work there. */
export type AppResult = 'works' | 'broken' | 'outside';

/** Latency of an app's committed traffic while one step ran. */
export interface TrafficStats {
  readonly queries: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Size of one table before and after a step. */
export interface SizeChange {
  readonly table: string;
  readonly tableBytesBefore: number;
  readonly tableBytesAfter: number;
  readonly indexBytesBefore: number;
  readonly indexBytesAfter: number;
}

/** One rehearsed step and what was seen after it. */
export interface StepReport {
  readonly migration: string;
  readonly phase: Phase;
  /** 1-based within the phase. */
  readonly step: number;
  readonly kind: 'sql' | 'backfill' | 'verify';
  readonly sql: string;
  readonly durationMs: number;
  readonly rows: number | null;
  /** The longest a traffic query took while this step ran (lock waits included). */
  readonly longestTrafficWaitMs: number | null;
  /** The longest a traffic session was seen waiting on a lock while this step ran (sampled every 50 ms); null without traffic. */
  readonly longestLockWaitMs: number | null;
  readonly apps: Readonly<Record<string, AppResult>>;
  readonly traffic: Readonly<Record<string, TrafficStats>>;
  /** Tables whose size changed. */
  readonly sizes: readonly SizeChange[];
}

/** Where a real `advance` would have waited. */
export interface GateStop {
  readonly migration: string;
  readonly phase: Phase;
  readonly waitsFor: string;
}

/** The result of a rehearsal: the json format is exactly this object. */
export interface RehearsalReport {
  readonly ok: boolean;
  readonly failures: readonly RehearsalFailure[];
  readonly steps: readonly StepReport[];
  /** App results before the first rehearsed step. */
  readonly start: Readonly<Record<string, AppResult>>;
  readonly apps: readonly { readonly name: string; readonly source: string; readonly from: WindowStart; readonly until: WindowEnd }[];
  readonly gates: readonly GateStop[];
  readonly migrations: readonly string[];
  /** Set when the engine itself stopped (a step failed, was refused, or the run was interrupted). */
  readonly stopped: { readonly migration: string | null; readonly phase: Phase | null; readonly detail: string } | null;
  readonly serverVersion: string;
  readonly trafficConnections: number;
  readonly durationMs: number;
}

/** The fitting advice for each class of break. */
export const ADVICE: Readonly<Record<FailureClass, string>> = {
  error:
    'this app version cannot run against the schema at this step: reorder the steps (relax constraints before the trigger that fills them goes) or move the change to a later phase',
  assertion: 'the data is not what this app version expects: check which side a sync trigger lets win on INSERT and UPDATE',
  cachedPlan:
    'a statement prepared before this step returns different columns after it (SELECT * or a changed type): list the columns explicitly, or let the driver re-prepare (pgx statement_cache_mode=describe, JDBC prepareThreshold=0, Rails prepared_statements: false) and restart app instances after the step',
};
