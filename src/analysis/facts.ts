import { statementLocks } from './locks.js';
import type { RuleContext } from './rule-context.js';
import type { ClassifiedStatement } from './statement.js';
import { addColumnRewriteReason, constraintWork, outsideTransactionReason } from './table-effects.js';
import { judgeTypeChange } from './type-change.js';
import type { StatementFacts } from './types.js';

type FactsEnv = Pick<RuleContext, 'pgVersion' | 'migration' | 'columnType'>;

/** Everything in StatementFacts that depends on the statement (not on where it sits). */
export function statementFacts(stmt: ClassifiedStatement, env: FactsEnv): Omit<StatementFacts, 'sql' | 'line' | 'step' | 'phase'> {
  return {
    kind: factKind(stmt),
    locks: statementLocks(stmt, env.pgVersion),
    rewritesTable: rewrites(stmt, env),
    scansUnderStrongLock: scans(stmt, env),
    mustRunOutsideTransaction: outsideTransactionReason(stmt, env.pgVersion) !== undefined,
    isDml: stmt.kind === 'insert' || stmt.kind === 'update' || stmt.kind === 'delete' || stmt.kind === 'merge',
    // The runner drops an INVALID index of this name that a failed concurrent build left behind.
    builtIndex:
      stmt.kind === 'createIndex' && stmt.index !== undefined
        ? stmt.table.schema === undefined
          ? { name: stmt.index }
          : { schema: stmt.table.schema, name: stmt.index }
        : null,
  };
}

function factKind(stmt: ClassifiedStatement): string {
  switch (stmt.kind) {
    case 'other':
      return stmt.name;
    case 'createObject':
      return stmt.nodeName;
    case 'createTable':
      return stmt.objectType === 'table' ? 'createTable' : 'createMaterializedView';
    case 'vacuum':
      return stmt.analyzeOnly ? 'analyze' : 'vacuum';
    case 'drop':
      // `dropTable`, `dropIndex`, `dropMaterializedView`, ...
      return `drop${stmt.objectType.replace(/(^|\s)(\w)/g, (_m, _s: string, c: string) => c.toUpperCase())}`;
    default:
      return stmt.kind;
  }
}

/** Conservative: a type change we cannot judge counts as a rewrite. */
function rewrites(stmt: ClassifiedStatement, env: FactsEnv): boolean {
  switch (stmt.kind) {
    case 'alterTable':
      return stmt.commands.some((cmd) => {
        switch (cmd.kind) {
          case 'addColumn':
            return addColumnRewriteReason(cmd, env.pgVersion) !== undefined;
          case 'alterColumnType':
            return judgeTypeChange(env.columnType(stmt.table, cmd.column), cmd.type, cmd.usingExpression).kind !== 'noRewrite';
          case 'rewriteTable':
            return true;
          default:
            return false;
        }
      });
    case 'vacuum':
      return stmt.full;
    case 'cluster':
      return true;
    case 'refreshMaterializedView':
      return !stmt.concurrent;
    default:
      return false;
  }
}

function scans(stmt: ClassifiedStatement, env: FactsEnv): boolean {
  switch (stmt.kind) {
    case 'alterTable':
      return stmt.commands.some((cmd) => {
        switch (cmd.kind) {
          case 'addConstraint':
            if (cmd.constraint.type === 'notNull' && cmd.constraint.notNullColumn !== undefined && !cmd.constraint.notValid) {
              return !provenNotNull(stmt.table, cmd.constraint.notNullColumn, env);
            }
            return constraintWork(cmd.constraint) !== 'none';
          case 'addColumn':
            return cmd.constraints.some((c) => constraintWork(c) !== 'none');
          case 'setNotNull':
            return !provenNotNull(stmt.table, cmd.column, env);
          case 'attachPartition':
            // The partition is scanned to check its bound unless a matching CHECK exists, which we cannot see.
            return true;
          default:
            return false;
        }
      });
    case 'createIndex':
      return !stmt.concurrent;
    case 'reindex':
      return !stmt.concurrent;
    default:
      return false;
  }
}

function provenNotNull(table: Parameters<FactsEnv['migration']['hasNotNullProof']>[0], column: string, env: FactsEnv): boolean {
  return env.pgVersion >= 12 && env.migration.hasNotNullProof(table, column);
}
