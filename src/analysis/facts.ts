import { statementLocks } from './locks.js';
import type { RuleContext } from './rule-context.js';
import type { ClassifiedStatement } from './statement.js';
import { addColumnRewriteReason, constraintWork, inlineConstraintWork, outsideTransactionReason } from './table-effects.js';
import type { StatementFacts } from './types.js';

type FactsEnv = Pick<RuleContext, 'pgVersion' | 'notNullProof' | 'typeChange'>;

/**
 * Everything in StatementFacts that depends on the statement (not on where it
 * sits); `lockDuration` is the statement's own, which the engine raises to
 * `transaction` when later statements run in the same transaction.
 */
export function statementFacts(stmt: ClassifiedStatement, env: FactsEnv): Omit<StatementFacts, 'sql' | 'line' | 'step' | 'phase'> {
  const rewritesTable = rewrites(stmt, env);
  const scansUnderStrongLock = scans(stmt, env);
  return {
    kind: factKind(stmt),
    locks: statementLocks(stmt, env.pgVersion),
    lockDuration: rewritesTable ? 'rewrite' : scansUnderStrongLock || readsEveryRow(stmt) ? 'scan' : stmt.kind === 'lockTable' ? 'transaction' : 'brief',
    rewritesTable,
    scansUnderStrongLock,
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
            return env.typeChange(stmt.table, cmd).kind !== 'noRewrite';
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
              return env.notNullProof(stmt.table, cmd.constraint.notNullColumn) === undefined;
            }
            return constraintWork(cmd.constraint) !== 'none';
          case 'addColumn':
            return cmd.constraints.some((c) => inlineConstraintWork(cmd, c) !== 'none');
          case 'setNotNull':
            return env.notNullProof(stmt.table, cmd.column) === undefined;
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

/** Work that reads the whole table under a lock that lets reads and writes through (or row locks on all of it). */
function readsEveryRow(stmt: ClassifiedStatement): boolean {
  switch (stmt.kind) {
    case 'alterTable':
      return stmt.commands.some((cmd) => cmd.kind === 'validateConstraint');
    case 'update':
    case 'delete':
      return !stmt.hasWhere;
    case 'createIndex':
    case 'reindex':
    case 'refreshMaterializedView':
    case 'vacuum':
      return true;
    default:
      return false;
  }
}

