import { sameRelation, type AnalysisResult } from '../analysis/index.js';
import { PhasegateError } from '../errors.js';
import { lookupRelationName, resolveRelations, tableHasColumn, type Queryable } from '../pg/index.js';
import { phaseIndex, type Migration, type Unit } from '../plan/index.js';

/**
 * Why each name the chosen units need cannot be found, one line each; empty
 * when all exist: backfill tables, and the tables and columns its operations
 * name (checked while none of the migration has run: later, its own phases
 * have changed them). A table the migration itself creates in that phase or
 * an earlier one does not exist yet and is fine (the analysis tracks what the
 * migration creates and renames).
 */
export async function unknownNameProblems(db: Queryable, migration: Migration, analysis: AnalysisResult, chosen: (unit: Unit) => boolean): Promise<string[]> {
  const problems = migration.units.every(chosen) ? await operationNameProblems(db, migration, analysis) : [];
  for (const unit of migration.units.filter(chosen)) {
    const created = analysis.createdRelations.filter((c) => phaseIndex(c.phase) <= phaseIndex(unit.phase)).flatMap((c) => c.names);
    for (const step of unit.steps) {
      if (step.kind !== 'backfill') continue;
      const subject = `${migration.file}: ${unit.phase} backfill.table`;
      try {
        const { ref, relation } = await lookupRelationName(db, step.spec.table, subject);
        if (relation === null && !created.some((name) => sameRelation(name, ref))) {
          problems.push(`${subject}: table ${JSON.stringify(step.spec.table)} does not exist`);
        }
      } catch (error) {
        if (!(error instanceof PhasegateError) || error.code !== 'INVALID_MIGRATION') throw error;
        problems.push(error.message);
      }
    }
  }
  return problems;
}

/** Operations name tables and columns exactly (no folding); one line per name that is not there. */
async function operationNameProblems(db: Queryable, migration: Migration, analysis: AnalysisResult): Promise<string[]> {
  const created = analysis.createdRelations.flatMap((c) => c.names);
  const needed = migration.requiredNames.filter((n) => !created.some((name) => sameRelation(name, { name: n.table, ...(n.schema === undefined ? {} : { schema: n.schema }) })));
  const found = await resolveRelations(db, needed.map((n) => ({ name: n.table, ...(n.schema === undefined ? {} : { schema: n.schema }) })));
  const problems: string[] = [];
  for (const [i, need] of needed.entries()) {
    const relation = found[i] ?? null;
    const table = need.schema === undefined ? JSON.stringify(need.table) : `${JSON.stringify(need.schema)}.${JSON.stringify(need.table)}`;
    if (relation === null) problems.push(`${migration.file}: ${need.field}: table ${table} does not exist`);
    else if (need.column !== undefined && !(await tableHasColumn(db, relation.oid, need.column))) {
      problems.push(`${migration.file}: ${need.field}: table ${table} has no column ${JSON.stringify(need.column)}`);
    }
  }
  return problems;
}

/** The error for unknownNameProblems: INVALID_MIGRATION (exit 2), raised before anything runs. */
export function unknownNamesError(problems: readonly string[]): PhasegateError {
  return new PhasegateError('INVALID_MIGRATION', problems.join('\n'), {
    hint: 'write backfill.table as in SQL (users, app.users, "Users" keeps its case); names in operations are exact ("Users" is not users); check they exist in this database, then run the command again',
  });
}

/** Throws unknownNamesError when a name the chosen units need cannot be found. */
export async function assertNamesExist(db: Queryable, migration: Migration, analysis: AnalysisResult, chosen: (unit: Unit) => boolean): Promise<void> {
  const problems = await unknownNameProblems(db, migration, analysis, chosen);
  if (problems.length > 0) throw unknownNamesError(problems);
}
