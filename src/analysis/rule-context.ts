import type { Phase } from '../plan/index.js';
import type { MigrationView } from './migration-state.js';
import type { RelationName } from './relation.js';
import type { SizeVerdict } from './size.js';
import type { AlterCommand, ClassifiedStatement } from './statement.js';
import type { TypeChangeVerdict } from './type-change.js';
import type { TransactionView } from './transaction-state.js';
import type { ColumnType } from './type-name.js';
import type { CatalogColumn, Severity } from './types.js';

/** Everything a rule may know besides the statement itself. */
export interface RuleContext {
  readonly phase: Phase;
  readonly pgVersion: number;
  /** The transaction block the statement runs in, or undefined when it runs on its own. */
  readonly transaction: TransactionView | undefined;
  readonly migration: MigrationView;
  /** The column's type before this statement: from this migration, else from the database. */
  readonly columnType: (table: RelationName, column: string) => ColumnType | undefined;
  /** The catalog facts of an existing column; undefined without a database. */
  readonly catalogColumn: (table: RelationName, column: string) => CatalogColumn | undefined;
  /** Why SET NOT NULL on the column needs no scan (already NOT NULL, or a validated CHECK on PG 12+), else undefined. */
  readonly notNullProof: (table: RelationName, column: string) => string | undefined;
  /** The column has a default, set earlier in this migration or in the catalog. */
  readonly hasDefault: (table: RelationName, column: string) => boolean;
  /** What an ALTER COLUMN ... TYPE does to the rows, with the current type and session time zone. */
  readonly typeChange: (table: RelationName, cmd: Extract<AlterCommand, { kind: 'alterColumnType' }>) => TypeChangeVerdict;
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
