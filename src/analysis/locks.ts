import { displayRelation, relationKey, type RelationName } from './relation.js';
import type { AlterCommand, ClassifiedStatement } from './statement.js';
import { assertNever } from '../errors.js';
import { LOCK_LEVELS, type LockLevel, type RelationLock } from './types.js';

// ALTER TABLE subcommands documented with a lock weaker than ACCESS EXCLUSIVE
// (ALTER TABLE reference page); every other subcommand takes ACCESS EXCLUSIVE.
const SUBTYPE_LOCKS: Readonly<Record<string, LockLevel>> = {
  AT_SetStatistics: 'SHARE UPDATE EXCLUSIVE',
  AT_SetOptions: 'SHARE UPDATE EXCLUSIVE',
  AT_ResetOptions: 'SHARE UPDATE EXCLUSIVE',
  AT_ClusterOn: 'SHARE UPDATE EXCLUSIVE',
  AT_DropCluster: 'SHARE UPDATE EXCLUSIVE',
  // fillfactor, autovacuum, toast and planner storage parameters.
  AT_SetRelOptions: 'SHARE UPDATE EXCLUSIVE',
  AT_ResetRelOptions: 'SHARE UPDATE EXCLUSIVE',
  AT_EnableTrig: 'SHARE ROW EXCLUSIVE',
  AT_EnableAlwaysTrig: 'SHARE ROW EXCLUSIVE',
  AT_EnableReplicaTrig: 'SHARE ROW EXCLUSIVE',
  AT_EnableTrigAll: 'SHARE ROW EXCLUSIVE',
  AT_EnableTrigUser: 'SHARE ROW EXCLUSIVE',
  AT_DisableTrig: 'SHARE ROW EXCLUSIVE',
  AT_DisableTrigAll: 'SHARE ROW EXCLUSIVE',
  AT_DisableTrigUser: 'SHARE ROW EXCLUSIVE',
};

const RELATION_TYPES = new Set(['table', 'view', 'materialized view', 'sequence', 'foreign table', 'index', 'column', 'constraint']);

/** pg_catalog and information_schema relations; unqualified, what their pg_ prefix names (PostgreSQL searches pg_catalog first). */
function isSystemCatalog(rel: RelationName): boolean {
  return rel.schema === 'pg_catalog' || rel.schema === 'information_schema' || (rel.schema === undefined && rel.name.startsWith('pg_'));
}

/** Collects locks, keeping the strongest per relation in first-seen order. */
class LockSet {
  readonly #locks = new Map<string, RelationLock>();

  add(rel: RelationName, level: LockLevel): void {
    // Reading the system catalogs (as generated catalog checks do) never waits on or blocks an app's tables.
    if (level === 'ACCESS SHARE' && isSystemCatalog(rel)) return;
    const key = relationKey(rel);
    const current = this.#locks.get(key)?.level;
    if (current === undefined || LOCK_LEVELS.indexOf(level) > LOCK_LEVELS.indexOf(current)) {
      this.#locks.set(key, { relation: displayRelation(rel), name: rel, level });
    }
  }

  toArray(): readonly RelationLock[] {
    return [...this.#locks.values()];
  }
}

/**
 * Table-level locks a statement takes, per PostgreSQL's "Explicit Locking"
 * page and the per-subcommand notes of ALTER TABLE. Index names stand in for
 * their table when the SQL does not name the table (DROP INDEX, REINDEX INDEX).
 */
export function statementLocks(stmt: ClassifiedStatement, pgVersion: number): readonly RelationLock[] {
  const locks = new LockSet();
  switch (stmt.kind) {
    case 'createTable':
      for (const rel of stmt.reads) locks.add(rel, 'ACCESS SHARE');
      // A new foreign key installs triggers on the referenced table.
      for (const rel of stmt.references) locks.add(rel, 'SHARE ROW EXCLUSIVE');
      if (stmt.partitionOf !== undefined) locks.add(stmt.partitionOf, 'ACCESS EXCLUSIVE');
      break;
    case 'createIndex':
      locks.add(stmt.table, stmt.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE');
      break;
    case 'alterTable':
      for (const cmd of stmt.commands) addAlterLocks(locks, stmt.table, cmd, pgVersion);
      break;
    case 'rename':
      if (RELATION_TYPES.has(stmt.object.objectType) || stmt.subName !== undefined) {
        // ALTER INDEX ... RENAME needs only SHARE UPDATE EXCLUSIVE since PG 12.
        const indexRename = stmt.renamedType === 'index' && pgVersion >= 12;
        locks.add(stmt.object.name, indexRename ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE');
      }
      break;
    case 'setSchema':
      if (stmt.object.objectClass === 'relation') locks.add(stmt.object.name, 'ACCESS EXCLUSIVE');
      break;
    case 'drop':
      for (const object of stmt.objects) {
        const onTable = object.member !== undefined;
        if (object.objectClass !== 'relation' && !onTable) continue;
        const concurrent = stmt.concurrent && object.objectType === 'index';
        locks.add(object.name, concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE');
      }
      break;
    case 'insert':
    case 'update':
    case 'delete':
    case 'merge':
      locks.add(stmt.table, 'ROW EXCLUSIVE');
      for (const rel of stmt.reads) locks.add(rel, 'ACCESS SHARE');
      break;
    case 'select':
      for (const rel of stmt.reads) locks.add(rel, stmt.locksRows ? 'ROW SHARE' : 'ACCESS SHARE');
      break;
    case 'truncate':
      for (const rel of stmt.tables) locks.add(rel, 'ACCESS EXCLUSIVE');
      break;
    case 'lockTable':
      for (const rel of stmt.tables) locks.add(rel, stmt.mode);
      break;
    case 'vacuum':
      for (const rel of stmt.tables) locks.add(rel, stmt.full ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE');
      break;
    case 'cluster':
      if (stmt.table !== undefined) locks.add(stmt.table, 'ACCESS EXCLUSIVE');
      break;
    case 'reindex':
      if (stmt.relation !== undefined) {
        // Plain REINDEX blocks writes to the table (SHARE) and all use of the index being rebuilt.
        const level: LockLevel = stmt.concurrent ? 'SHARE UPDATE EXCLUSIVE' : stmt.target === 'index' ? 'ACCESS EXCLUSIVE' : 'SHARE';
        locks.add(stmt.relation, level);
      }
      break;
    case 'refreshMaterializedView':
      locks.add(stmt.view, stmt.concurrent ? 'EXCLUSIVE' : 'ACCESS EXCLUSIVE');
      break;
    case 'createTrigger':
      locks.add(stmt.table, 'SHARE ROW EXCLUSIVE');
      break;
    case 'createObject':
    case 'renameEnumValue':
    case 'addEnumValue':
    case 'transaction':
    case 'setting':
    case 'other':
      break;
    default:
      assertNever(stmt);
  }
  return locks.toArray();
}

function addAlterLocks(locks: LockSet, table: RelationName, cmd: AlterCommand, pgVersion: number): void {
  switch (cmd.kind) {
    case 'addColumn':
      locks.add(table, 'ACCESS EXCLUSIVE');
      for (const c of cmd.constraints) if (c.references !== undefined) locks.add(c.references, 'SHARE ROW EXCLUSIVE');
      return;
    case 'addConstraint':
      if (cmd.constraint.references !== undefined) {
        locks.add(table, 'SHARE ROW EXCLUSIVE');
        locks.add(cmd.constraint.references, 'SHARE ROW EXCLUSIVE');
      } else {
        locks.add(table, 'ACCESS EXCLUSIVE');
      }
      return;
    case 'validateConstraint':
      locks.add(table, 'SHARE UPDATE EXCLUSIVE');
      return;
    case 'attachPartition':
      locks.add(table, pgVersion >= 12 ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE');
      locks.add(cmd.partition, 'ACCESS EXCLUSIVE');
      return;
    case 'detachPartition': {
      const level: LockLevel = cmd.concurrent && pgVersion >= 14 ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
      locks.add(table, level);
      locks.add(cmd.partition, level);
      return;
    }
    case 'other':
      locks.add(table, SUBTYPE_LOCKS[cmd.subtype] ?? 'ACCESS EXCLUSIVE');
      return;
    case 'dropColumn':
    case 'alterColumnType':
    case 'setNotNull':
    case 'dropNotNull':
    case 'setDefault':
    case 'dropDefault':
    case 'dropConstraint':
    case 'rewriteTable':
      locks.add(table, 'ACCESS EXCLUSIVE');
      return;
    default:
      assertNever(cmd);
  }
}
