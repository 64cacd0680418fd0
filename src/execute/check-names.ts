import { sameRelation, type AnalysisResult } from '../analysis/index.js';
import { PhasegateError } from '../errors.js';
import { lookupRelationName, type Queryable } from '../pg/index.js';
import { phaseIndex, type Migration, type Unit } from '../plan/index.js';

/**
 * Why each backfill table of the chosen units cannot be found, one line
 * each; empty when all exist. A table the migration itself creates in that
 * phase or an earlier one does not exist yet and is fine (the analysis
 * tracks what the migration creates and renames).
 */
export async function backfillTableProblems(db: Queryable, migration: Migration, analysis: AnalysisResult, chosen: (unit: Unit) => boolean): Promise<string[]> {
  const problems: string[] = [];
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

/** The error for backfillTableProblems: INVALID_MIGRATION (exit 2), raised before anything runs. */
export function backfillTablesError(problems: readonly string[]): PhasegateError {
  return new PhasegateError('INVALID_MIGRATION', problems.join('\n'), {
    hint: 'write backfill.table as in SQL (users, app.users, "Users" keeps its case) and check it exists in this database, then run the command again',
  });
}

/** Throws backfillTablesError when a backfill table of the chosen units cannot be found. */
export async function assertBackfillTablesExist(db: Queryable, migration: Migration, analysis: AnalysisResult, chosen: (unit: Unit) => boolean): Promise<void> {
  const problems = await backfillTableProblems(db, migration, analysis, chosen);
  if (problems.length > 0) throw backfillTablesError(problems);
}
