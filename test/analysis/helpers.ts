import { analyzeMigration, type AnalysisResult, type CatalogColumn, type Finding, type RuleId, type TableSize } from '../../src/analysis/index.js';
import type { Phase } from '../../src/plan/index.js';

export interface CaseOptions {
  readonly phase?: Phase;
  readonly pgVersion?: number;
  /** Defaults to false, with the SQL as one statement per step. */
  readonly transactional?: boolean;
  /** SQL run in an earlier expand step of the same migration. */
  readonly before?: string;
  readonly sizes?: Readonly<Record<string, readonly [bytes: number, rows: number]>>;
  readonly columnTypes?: Readonly<Record<string, string>>;
  /** Catalog facts per `table.column`, as a reachable database provides them. */
  readonly catalog?: Readonly<Record<string, CatalogColumn>>;
  readonly sessionTimeZone?: string;
}

/** Runs `sql` as one step of a migration and returns the whole result. */
export async function analyzeCase(sql: string, opts: CaseOptions = {}): Promise<AnalysisResult> {
  const phase = opts.phase ?? 'expand';
  const main = { sql, transactional: opts.transactional ?? false };
  const earlier = opts.before === undefined ? [] : [{ sql: opts.before, transactional: false }];
  const phases =
    phase === 'expand'
      ? [{ phase, steps: [...earlier, main] }]
      : [...(earlier.length > 0 ? [{ phase: 'expand' as const, steps: earlier }] : []), { phase, steps: [main] }];
  const sizes = opts.sizes === undefined ? undefined : new Map<string, TableSize>(Object.entries(opts.sizes).map(([k, [bytes, rows]]) => [k, { bytes, rows }]));
  const columnTypes = opts.columnTypes === undefined ? undefined : new Map(Object.entries(opts.columnTypes));
  return analyzeMigration({
    migration: '0001_test',
    pgVersion: opts.pgVersion ?? 16,
    phases,
    ...(sizes === undefined ? {} : { tableSizes: sizes }),
    ...(columnTypes === undefined ? {} : { columnTypes }),
    ...(opts.catalog === undefined ? {} : { catalogColumns: new Map(Object.entries(opts.catalog)) }),
    ...(opts.sessionTimeZone === undefined ? {} : { sessionTimeZone: opts.sessionTimeZone }),
  });
}

/** Findings of the main step only (not of `before`). */
export async function findingsOf(sql: string, opts: CaseOptions = {}): Promise<readonly Finding[]> {
  const result = await analyzeCase(sql, opts);
  const phase = opts.phase ?? 'expand';
  const step = phase === 'expand' && opts.before !== undefined ? 1 : 0;
  return result.findings.filter((f) => f.phase === phase && f.step === step);
}

export async function rulesOf(sql: string, opts: CaseOptions = {}): Promise<readonly RuleId[]> {
  return (await findingsOf(sql, opts)).map((f) => f.rule);
}
