import type { AlterCommand, ClassifiedStatement, ConstraintInfo } from './statement.js';

/** The work a constraint makes PostgreSQL do on an existing table when it is added. */
export type ConstraintWork = 'validationScan' | 'indexBuild' | 'none';

/**
 * CHECK and FOREIGN KEY scan the table unless NOT VALID; UNIQUE and PRIMARY KEY
 * build their index unless USING INDEX; EXCLUDE always builds one.
 */
export function constraintWork(c: ConstraintInfo): ConstraintWork {
  switch (c.type) {
    case 'check':
    case 'foreignKey':
    case 'notNull':
      return c.notValid ? 'none' : 'validationScan';
    case 'unique':
    case 'primaryKey':
      return c.usingIndex === undefined ? 'indexBuild' : 'none';
    case 'exclusion':
      return 'indexBuild';
    case 'other':
      return 'none';
  }
}

type AddColumn = Extract<AlterCommand, { kind: 'addColumn' }>;

/** The column starts out NULL in every existing row (no default, identity or generated value). */
export function addsNullColumn(cmd: AddColumn): boolean {
  return (cmd.default === undefined || cmd.default.kind === 'null') && !cmd.identity && cmd.generated === undefined;
}

/**
 * The work an inline constraint of ADD COLUMN does. A FOREIGN KEY written on a
 * new column that is NULL everywhere is not validated (measured: no scan),
 * unlike a table-level one in the same statement or any CHECK.
 */
export function inlineConstraintWork(cmd: AddColumn, c: ConstraintInfo): ConstraintWork {
  return c.type === 'foreignKey' && addsNullColumn(cmd) ? 'none' : constraintWork(c);
}

/** Why ADD COLUMN rewrites the table on this server version, or undefined when it does not. */
export function addColumnRewriteReason(cmd: AddColumn, pgVersion: number): string | undefined {
  if (cmd.identity) return 'an identity column numbers every existing row';
  if (cmd.generated === 'stored' || (cmd.generated === 'virtual' && pgVersion < 18)) {
    return 'a stored generated column is computed for every existing row';
  }
  const def = cmd.default;
  if (def === undefined || def.kind === 'null') return undefined;
  if (def.kind === 'volatile') {
    return def.certain
      ? `the default ${def.culprit} is volatile, so it is evaluated for every existing row`
      : `the default calls ${def.culprit}, which is VOLATILE unless declared otherwise, so it is evaluated for every existing row`;
  }
  // PG 11 stores a non-volatile default in the catalog ("fast default").
  return pgVersion < 11 ? `before PostgreSQL 11 any non-null default is written into every row` : undefined;
}

/** Statements PostgreSQL refuses inside a transaction block, with the reason; undefined if allowed. */
export function outsideTransactionReason(stmt: ClassifiedStatement, pgVersion: number): string | undefined {
  switch (stmt.kind) {
    case 'createIndex':
      return stmt.concurrent ? 'CREATE INDEX CONCURRENTLY' : undefined;
    case 'drop':
      return stmt.concurrent ? 'DROP INDEX CONCURRENTLY' : undefined;
    case 'reindex':
      if (stmt.concurrent) return 'REINDEX CONCURRENTLY';
      return stmt.target === 'database' || stmt.target === 'system' || stmt.target === 'schema'
        ? `REINDEX ${stmt.target.toUpperCase()}`
        : undefined;
    case 'vacuum':
      return stmt.analyzeOnly ? undefined : 'VACUUM';
    case 'alterTable':
      return stmt.commands.some((c) => c.kind === 'detachPartition' && c.concurrent) ? 'DETACH PARTITION CONCURRENTLY' : undefined;
    case 'addEnumValue':
      return pgVersion < 12 ? 'ALTER TYPE ... ADD VALUE (before PostgreSQL 12)' : undefined;
    case 'other':
      return stmt.outsideTransactionOnly ? stmt.name : undefined;
    default:
      return undefined;
  }
}
