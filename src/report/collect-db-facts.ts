import type { RelationLock } from '../analysis/index.js';
import { buildBatchSql, gateVerdictFor, type StateSnapshot } from '../execute/index.js';
import {
  batchKeyFor,
  extendedQuery,
  inReadOnlyTransaction,
  lookupRelationName,
  pinExactKeyText,
  relationSizes,
  resolveRelations,
  type Queryable,
  type ReadOnlyLimits,
  type ServerVersion,
} from '../pg/index.js';
import { unitName, type BackfillSpec, type Migration, type Unit } from '../plan/index.js';
import { installedVersion, StateStore, type BackfillRecord } from '../state/index.js';
import { stepKey, type BackfillFacts, type DbFacts, type GateFact, type RelationFacts } from './db-facts.js';
import type { ExplainReport } from './plan-report.js';

/** What the collector looks at. */
export interface CollectInput {
  readonly db: Queryable;
  /** Schema of the state store. */
  readonly schema: string;
  readonly version: ServerVersion;
  readonly migrations: readonly Migration[];
  /** The state store as read for this report. */
  readonly state: StateSnapshot;
  /** The units the report describes. */
  readonly units: readonly Unit[];
  /** Every relation some step locks, by its exact name. */
  readonly relations: readonly RelationLock[];
  /** The first batch's size per backfill, as the engine resolves it. */
  readonly batchSizeFor: (spec: BackfillSpec) => number;
}

/*
 * Everything here only reads. EXPLAIN runs without ANALYZE (nothing is
 * executed), but planning an UPDATE still takes its ROW EXCLUSIVE lock.
 */
const READ_LIMITS: ReadOnlyLimits = { lockTimeoutMs: 1_000, statementTimeoutMs: 10_000 };

/** Reads sizes, state, gate verdicts, backfill progress and EXPLAINs for a plan report. */
export async function collectDbFacts(input: CollectInput): Promise<DbFacts> {
  const { db, schema, state, version } = input;
  const byId = new Map(input.migrations.map((m) => [m.id, m]));

  const gates = new Map<string, GateFact>();
  for (const unit of input.units) {
    const migration = byId.get(unit.migrationId);
    if (migration !== undefined) gates.set(unitName(unit), gateVerdictFor(migration, unit, state));
  }
  const relations = new Map<string, RelationFacts | null>();
  for (const lock of input.relations) {
    // Left out (size unknown) when its lock could not be had in time.
    const facts = await readOnly(db, async () => {
      const [found] = await resolveRelations(db, [lock.name]);
      return found === null || found === undefined ? null : ((await relationSizes(db, [found.oid])).get(found.oid) ?? null);
    }).catch(() => undefined);
    if (facts !== undefined) relations.set(lock.relation, facts);
  }

  const batchSql = new Map<string, string>();
  const explains = new Map<string, ExplainReport>();
  for (const unit of input.units) {
    if (state.units.get(unitName(unit))?.state === 'done') continue;
    for (const [index, step] of unit.steps.entries()) {
      const key = stepKey(unitName(unit), index);
      if (step.kind === 'verify') explains.set(key, await explain(db, step.query, []));
      if (step.kind !== 'backfill') continue;
      const backfill = await readOnly(db, () => firstBatch(db, step.spec, input.batchSizeFor(step.spec))).catch(
        (error: unknown): FirstBatch => ({ kind: 'unavailable', reason: error instanceof Error ? error.message : String(error), size: undefined }),
      );
      if (backfill.size !== undefined) relations.set(step.spec.table, backfill.size);
      if (backfill.kind === 'unavailable') {
        explains.set(key, { kind: 'unavailable', reason: backfill.reason });
        continue;
      }
      batchSql.set(key, backfill.sql);
      explains.set(key, await explain(db, backfill.sql, backfill.endKey));
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
    batchSql,
    explains,
    backfills: new Map(backfills.map((b) => [b.migrationId, backfillFacts(b)])),
    typicalBackfillRate: median(backfills.flatMap((b) => (b.finishedAt === null || b.rowsPerSecond === null ? [] : [b.rowsPerSecond]))),
  };
}

/** A backfill's first batch as the engine would send it, or why it cannot be shown; with its table's size when found. */
type FirstBatch =
  | { readonly kind: 'batch'; readonly sql: string; readonly endKey: readonly (string | null)[]; readonly size: RelationFacts }
  | { readonly kind: 'unavailable'; readonly reason: string; readonly size: RelationFacts | null | undefined };

/**
 * Finds the table and its key the way the engine does (same functions, same
 * tie-breaking), and the first batch's end key with the engine's own
 * boundary query, so the EXPLAIN is of the statement that will run.
 */
async function firstBatch(db: Queryable, spec: BackfillSpec, batchSize: number): Promise<FirstBatch> {
  const { relation } = await lookupRelationName(db, spec.table, 'backfill.table');
  if (relation === null) return { kind: 'unavailable', reason: `${spec.table} does not exist yet`, size: null };
  const size = (await relationSizes(db, [relation.oid])).get(relation.oid) ?? null;
  const key = await batchKeyFor(db, relation).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  if (key instanceof Error) return { kind: 'unavailable', reason: key.message, size };
  const sql = buildBatchSql(spec, relation.quoted, key);
  await pinExactKeyText(db);
  const upper = (await db.query<{ key: string[] }>(sql.upperKey)).rows[0]?.key;
  const end = upper === undefined ? undefined : (await db.query<{ last_key: string[] }>(sql.boundary(false), [...upper, batchSize])).rows[0]?.last_key;
  return size === null
    ? { kind: 'unavailable', reason: `${spec.table} was dropped meanwhile`, size }
    : { kind: 'batch', sql: sql.update(false), endKey: end ?? key.columns.map(() => null), size };
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
