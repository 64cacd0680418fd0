import type { Phase } from '../plan/index.js';
import type { MigrationView } from './migration-state.js';
import type { RelationName } from './relation.js';
import type { SizeVerdict } from './size.js';
import type { ClassifiedStatement } from './statement.js';
import type { ColumnType } from './type-name.js';
import type { Severity } from './types.js';

/** Everything a rule may know besides the statement itself. */
export interface RuleContext {
  readonly phase: Phase;
  readonly pgVersion: number;
  /** Why the statement runs inside a transaction block, or undefined when it runs on its own. */
  readonly transaction: string | undefined;
  readonly migration: MigrationView;
  /** The column's type before this statement: from this migration, else from the database. */
  readonly columnType: (table: RelationName, column: string) => ColumnType | undefined;
  readonly size: (rel: RelationName) => SizeVerdict;
}

/** What a rule reports; the engine adds the rule id, location and catalogue text. */
export interface RuleHit {
  readonly severity: Severity;
  readonly message: string;
  /** Overrides the catalogue hint when the safe alternative depends on the case. */
  readonly hint?: string;
}

/** A pure function over one classified statement. */
export type StatementRule = (stmt: ClassifiedStatement, ctx: RuleContext) => readonly RuleHit[];

/** The ALTER TABLE statements on tables that existed before this migration. */
export function existingAlter(
  stmt: ClassifiedStatement,
  ctx: RuleContext,
): Extract<ClassifiedStatement, { kind: 'alterTable' }> | undefined {
  return stmt.kind === 'alterTable' && !ctx.migration.isNew(stmt.table) ? stmt : undefined;
}
