import { analyzeMigration, type AnalysisResult, type TableSize } from '../analysis/index.js';
import { PhasegateError } from '../errors.js';
import { analysisInputFor, assertNamesExist, columnFacts, type DatabaseFacts, readState, timeZone, touchedRelations, type StateSnapshot } from '../execute/index.js';
import { orderUnits, unitName, type BackfillSpec, type Migration, type Unit } from '../plan/index.js';
import { serverVersion } from '../pg/index.js';
import { StateStore, type Queryable } from '../state/index.js';
import { backfillPacing } from './backfill-pacing.js';
import { buildPlanReport } from './build-plan-report.js';
import type { PlanSettings } from './build-steps.js';
import { collectDbFacts } from './collect-db-facts.js';
import type { DbContext } from './db-facts.js';
import type { PlanReport, PlanSelection } from './plan-report.js';

/** A database to read facts from, or why there is none. */
export type PlanDatabase =
  | { readonly kind: 'online'; readonly db: Queryable; readonly schema: string }
  | { readonly kind: 'offline'; readonly reason: string };

export interface PreparePlanOptions {
  readonly migrations: readonly Migration[];
  /** Describe only these migrations (every phase); empty for the default selection. */
  readonly ids: readonly string[];
  /** Every unit, done or not. @default false: only units that are not done */
  readonly all: boolean;
  readonly settings: PlanSettings;
  readonly database: PlanDatabase;
  /** The major version analysis assumes offline. */
  readonly assumedPgVersion: number;
  readonly now: Date;
}

/**
 * Makes a plan report: selects the units, analyses their migrations and, when
 * a database answers, reads sizes, state, gates and EXPLAINs from it. Reads
 * only. Offline, the report says what it could not know instead of failing.
 * @throws PhasegateError (USAGE) for an unknown migration id; (INVALID_MIGRATION) for a pending backfill's unknown table.
 */
export async function preparePlanReport(options: PreparePlanOptions): Promise<PlanReport> {
  const { migrations, database } = options;
  const selection = selectionOf(options);
  const wanted = selectedUnits(migrations, options.ids);
  if (database.kind === 'offline') {
    const analyses = await analyse(migrations, wanted, options.assumedPgVersion, undefined);
    const db: DbContext = { kind: 'offline', reason: database.reason, pgVersion: options.assumedPgVersion };
    return buildPlanReport({ migrations, units: wanted, selection, analyses, settings: options.settings, db, now: options.now });
  }
  const { db, schema } = database;
  const version = await serverVersion(db);
  const state = await readState(db, new StateStore(db, schema), schema);
  const units = selection.kind === 'pending' ? wanted.filter((u) => !isDone(state, u)) : wanted;
  const firstPass = await analyse(migrations, units, version.major, undefined);
  const relations = touchedRelations([...firstPass.values()].flatMap((a) => a.statements));
  const pending = (u: Unit): boolean => units.some((s) => unitName(s) === unitName(u)) && !isDone(state, u);
  for (const [id, analysis] of firstPass) {
    const migration = migrations.find((m) => m.id === id);
    if (migration !== undefined) await assertNamesExist(db, migration, analysis, pending);
  }
  const batchSizeFor = (spec: BackfillSpec): number => backfillPacing(spec, options.settings.backfill).batchSize;
  const facts = await collectDbFacts({ db, schema, version, migrations, state, units, relations, batchSizeFor });
  const sizes = new Map<string, TableSize>();
  for (const [name, relation] of facts.relations) if (relation !== null) sizes.set(name, { bytes: relation.bytes, rows: relation.rows });
  // Again with sizes and column facts: size-aware rules judge a big table differently from an empty one.
  // Column facts come from the catalog alone, so a table locked by a running migration does not stall the report.
  const catalogColumns = await columnFacts(db, relations);
  const analyses = await analyse(migrations, units, version.major, { tableSizes: sizes, catalogColumns, sessionTimeZone: await timeZone(db) });
  return buildPlanReport({ migrations, units, selection, analyses, settings: options.settings, db: { kind: 'online', facts }, now: options.now });
}

function selectionOf(options: PreparePlanOptions): PlanSelection {
  if (options.ids.length > 0) return { kind: 'migrations', ids: options.ids };
  return options.all ? { kind: 'all' } : { kind: 'pending' };
}

function selectedUnits(migrations: readonly Migration[], ids: readonly string[]): Unit[] {
  const unknown = ids.filter((id) => !migrations.some((m) => m.id === id));
  if (unknown.length > 0) {
    throw new PhasegateError('USAGE', `no such migration: ${unknown.join(', ')}`, {
      hint: 'use the id of a migration file (its name without extension); `migrate status` lists them',
    });
  }
  const ordered = orderUnits(migrations);
  return ids.length === 0 ? ordered : ordered.filter((u) => ids.includes(u.migrationId));
}

function isDone(state: StateSnapshot, unit: Unit): boolean {
  return state.units.get(unitName(unit))?.state === 'done';
}

/**
 * Analyses each migration that has a selected unit, with all its phases in
 * order, so objects an earlier phase creates count as new. SQL steps come
 * first in a unit, so their analysis step numbers are the unit's step indexes.
 */
async function analyse(
  migrations: readonly Migration[],
  units: readonly Unit[],
  pgVersion: number,
  facts: DatabaseFacts | undefined,
): Promise<Map<string, AnalysisResult>> {
  const result = new Map<string, AnalysisResult>();
  for (const migration of migrations) {
    if (!units.some((u) => u.migrationId === migration.id)) continue;
    const input = analysisInputFor(migration, pgVersion);
    result.set(migration.id, await analyzeMigration({ ...input, ...facts }));
  }
  return result;
}
