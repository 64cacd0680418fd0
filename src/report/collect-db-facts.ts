import { gateVerdictFor, type StateSnapshot } from '../execute/index.js';
import { extendedQuery, inReadOnlyTransaction, type ReadOnlyLimits } from '../pg/index.js';
import { unitName, type BackfillSpec, type Migration, type Unit } from '../plan/index.js';
import { installedVersion, quoteIdent, StateStore, type BackfillRecord, type Queryable } from '../state/index.js';
import { backfillBatchSql } from './backfill-sql.js';
import { stepKey, type BackfillFacts, type DbFacts, type GateFact, type RelationFacts } from './db-facts.js';
import type { ExplainReport } from './plan-report.js';

/** What the collector looks at. */
export interface CollectInput {
  readonly db: Queryable;
  /** Schema of the state store. */
  readonly schema: string;
  readonly migrations: readonly Migration[];
  /** The state store as read for this report. */
  readonly state: StateSnapshot;
  /** The units the report describes. */
  readonly units: readonly Unit[];
  /** Every relation some step locks, as written in the SQL. */
  readonly relations: readonly string[];
  /** The first batch's size per backfilled table, for its EXPLAIN. */
  readonly batchSizeFor: (spec: BackfillSpec) => number;
}

/*
 * Everything here only reads. EXPLAIN runs without ANALYZE (nothing is
 * executed), but planning an UPDATE still takes its ROW EXCLUSIVE lock.
 */
const READ_LIMITS: ReadOnlyLimits = { lockTimeoutMs: 1_000, statementTimeoutMs: 10_000 };

/** The server version: major number and text. */
export async function serverVersion(db: Queryable): Promise<{ readonly text: string; readonly major: number }> {
  const { rows } = await db.query<{ text: string; num: string }>(
    `SELECT current_setting('server_version') AS text, current_setting('server_version_num') AS num`,
  );
  const row = rows[0];
  return { text: row?.text ?? 'unknown', major: Math.floor(Number(row?.num ?? 0) / 10_000) };
}

/** Reads sizes, state, gate verdicts, backfill progress and EXPLAINs for a plan report. */
export async function collectDbFacts(input: CollectInput): Promise<DbFacts> {
  const { db, schema } = input;
  const version = await serverVersion(db);
  const { state } = input;
  const byId = new Map(input.migrations.map((m) => [m.id, m]));

  const gates = new Map<string, GateFact>();
  for (const unit of input.units) {
    const migration = byId.get(unit.migrationId);
    if (migration !== undefined) gates.set(unitName(unit), gateVerdictFor(migration, unit, state));
  }
  const backfillTables = input.units.flatMap((u) => u.steps.flatMap((s) => (s.kind === 'backfill' ? [s.spec.table] : [])));
  const relations = new Map<string, RelationFacts | null>();
  for (const name of new Set([...input.relations, ...backfillTables])) {
    // Left out (size unknown) when its lock could not be had in time.
    const facts = await readOnly(db, () => relationFacts(db, name)).catch(() => undefined);
    if (facts !== undefined) relations.set(name, facts);
  }
  const batchKeys = new Map<string, readonly string[]>();
  for (const table of new Set(backfillTables)) {
    const keys = await readOnly(db, () => batchKeyColumns(db, table)).catch(() => []);
    if (keys.length > 0) batchKeys.set(table, keys);
  }

  const explains = new Map<string, ExplainReport>();
  for (const unit of input.units) {
    if (state.units.get(unitName(unit))?.state === 'done') continue;
    for (const [index, step] of unit.steps.entries()) {
      const key = stepKey(unitName(unit), index);
      if (step.kind === 'verify') explains.set(key, await explain(db, step.query, []));
      if (step.kind === 'backfill') explains.set(key, await explainBackfill(db, step.spec, batchKeys.get(step.spec.table) ?? null, input.batchSizeFor(step.spec)));
    }
  }

  const backfills = await new StateStore(db, schema).backfills.records();
  return {
    serverVersion: version.text,
    pgVersion: version.major,
    stateInstalled: (await installedVersion(db, schema)) > 0,
    unitStates: new Map([...state.units].map(([name, record]) => [name, record.state])),
    gates,
    relations,
    batchKeys,
    explains,
    backfills: new Map(backfills.map((b) => [b.migrationId, backfillFacts(b)])),
    typicalBackfillRate: median(backfills.flatMap((b) => (b.finishedAt === null || b.rowsPerSecond === null ? [] : [b.rowsPerSecond]))),
  };
}

async function relationFacts(db: Queryable, name: string): Promise<RelationFacts | null> {
  // to_regclass parses the name as SQL would (quoting, schema, search_path) and is null when it does not exist.
  const { rows } = await db.query<{ oid: string; total: string; heap: string; idx: string; rows: number }>(
    `SELECT c.oid::text AS oid, pg_total_relation_size(c.oid) AS total, pg_relation_size(c.oid) AS heap,
            pg_indexes_size(c.oid) AS idx, greatest(c.reltuples, 0)::float8 AS rows
       FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [name],
  );
  const row = rows[0];
  if (row === undefined) return null;
  const indexes = await db.query<{ name: string; bytes: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_relation_size(i.indexrelid) AS bytes
       FROM pg_index i WHERE i.indrelid = $1::oid ORDER BY 1`,
    [row.oid],
  );
  return {
    bytes: Number(row.total),
    tableBytes: Number(row.heap),
    indexBytes: Number(row.idx),
    rows: row.rows,
    indexes: indexes.rows.map((r) => ({ name: r.name, bytes: Number(r.bytes) })),
  };
}

/**
 * The columns the engine cuts batches on: the primary key, else the
 * narrowest unique, non-partial index over NOT NULL columns. Empty when
 * there is none (the engine refuses such a table) or it does not exist.
 */
async function batchKeyColumns(db: Queryable, table: string): Promise<string[]> {
  const { rows } = await db.query<{ columns: string[]; not_null: boolean }>(
    `SELECT array_agg(a.attname::text ORDER BY k.ord) AS columns, bool_and(a.attnotnull) AS not_null
       FROM pg_index i
       JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON k.ord <= i.indnkeyatts
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
      GROUP BY i.indexrelid, i.indisprimary
      ORDER BY i.indisprimary DESC, count(*), i.indexrelid`,
    [table],
  );
  return rows.find((r) => r.not_null)?.columns ?? [];
}

async function explainBackfill(db: Queryable, spec: BackfillSpec, keys: readonly string[] | null, batchSize: number): Promise<ExplainReport> {
  if (keys === null) return { kind: 'unavailable', reason: `${spec.table} does not exist yet, or has no primary key or unique NOT NULL key` };
  const table = spec.table.split('.').map(quoteIdent).join('.');
  const cols = keys.map(quoteIdent);
  // The first batch ends at the batch-size-th key (or the last one, on a smaller table).
  const ends = await readOnly(db, () => db.query<{ key: string[] }>(
    `SELECT key FROM (
       (SELECT ARRAY[${cols.map((c) => `${c}::text`).join(', ')}] AS key, 0 AS o FROM ${table} ORDER BY ${cols.join(', ')} OFFSET $1 LIMIT 1)
       UNION ALL
       (SELECT ARRAY[${cols.map((c) => `${c}::text`).join(', ')}], 1 FROM ${table} ORDER BY ${cols.map((c) => `${c} DESC`).join(', ')} LIMIT 1)
     ) ends ORDER BY o LIMIT 1`,
    [Math.max(batchSize - 1, 0)],
  )).catch(() => ({ rows: [] }));
  const upper = ends.rows[0]?.key ?? keys.map(() => null);
  return explain(db, backfillBatchSql(spec, keys), upper);
}

async function explain(db: Queryable, sql: string, values: readonly unknown[]): Promise<ExplainReport> {
  try {
    const rows = await readOnly(db, async () => (await db.query<{ 'QUERY PLAN': string }>(extendedQuery(`EXPLAIN ${sql}`, values))).rows);
    return { kind: 'plan', text: rows.map((r) => r['QUERY PLAN']).join('\n') };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'unavailable', reason: `EXPLAIN failed: ${message} (an earlier step of the plan may create what it needs)` };
  }
}

/**
 * Runs catalog reads in a READ ONLY transaction under short timeouts, then
 * rolls back. Sizes and EXPLAIN take ACCESS SHARE or ROW EXCLUSIVE locks, so
 * behind a running migration's ACCESS EXCLUSIVE they would wait, and make
 * application queries queue behind them; they give up instead.
 */
function readOnly<T>(db: Queryable, work: () => Promise<T>): Promise<T> {
  return inReadOnlyTransaction(db, READ_LIMITS, work);
}

/** Progress counts keys walked (the engine's own measure against the row estimate), at its last rate. */
function backfillFacts(b: BackfillRecord): BackfillFacts {
  return { rowsDone: b.rowsScanned, batches: b.batches, ratePerSecond: b.rowsPerSecond, finished: b.finishedAt !== null };
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? null) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
