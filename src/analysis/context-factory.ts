import type { Phase } from '../plan/index.js';
import { CatalogLookup } from './catalog-lookup.js';
import type { MigrationState } from './migration-state.js';
import type { RuleContext } from './rule-context.js';
import { DEFAULT_LARGE_TABLE_BYTES, type SizeSource, sizeVerdict } from './size.js';
import type { TransactionView } from './transaction-state.js';
import { isUtcZone, judgeTypeChange } from './type-change.js';
import type { AnalysisInput } from './types.js';

/** Builds rule contexts for one analysis: the migration's own facts first, then the catalog's. */
export function contextFactory(
  input: AnalysisInput,
  state: MigrationState,
): (phase: Phase, transaction: TransactionView | undefined) => RuleContext {
  const catalog = new CatalogLookup(input.columnTypes, input.catalogColumns);
  const sizes: SizeSource = { sizes: input.tableSizes, largeTableBytes: input.largeTableBytes ?? DEFAULT_LARGE_TABLE_BYTES };
  const pg12 = input.pgVersion >= 12;
  const base: Omit<RuleContext, 'phase' | 'transaction'> = {
    pgVersion: input.pgVersion,
    migration: state,
    columnType: (table, column) => state.columnType(table, column) ?? catalog.type(table, column),
    catalogColumn: (table, column) => catalog.column(table, column),
    notNullProof: (table, column) => {
      if (pg12 && state.hasNotNullProof(table, column)) return 'a validated CHECK earlier in this migration proves it';
      // Facts from the catalog describe the table before this migration touched the column.
      if (state.columnType(table, column) !== undefined) return undefined;
      const known = catalog.column(table, column);
      if (known?.notNull === true) return 'the column is already NOT NULL';
      return pg12 && known?.notNullCheck === true ? 'a validated CHECK in the catalog proves it' : undefined;
    },
    hasDefault: (table, column) => state.hasDefault(table, column) || (!state.droppedDefault(table, column) && catalog.column(table, column)?.hasDefault === true),
    typeChange: (table, cmd) => {
      const zone = state.timeZone ?? input.sessionTimeZone;
      return judgeTypeChange(base.columnType(table, cmd.column), cmd.type, cmd.usingExpression, pg12 && isUtcZone(zone));
    },
    size: (rel) => sizeVerdict(rel, sizes),
  };
  return (phase, transaction) => ({ ...base, phase, transaction });
}
