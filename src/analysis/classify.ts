import {
  type AstObject,
  boolField,
  listField,
  nodeOf,
  numberField,
  objectField,
  stringField,
  stringList,
  unwrap,
  walk,
} from './ast.js';
import { readAlterCommand } from './alter-table.js';
import { constraintBodies, readConstraint } from './constraint.js';
import { isTautology } from './expression.js';
import { type RelationName, readRangeVar, relationFromNames } from './relation.js';
import type { ClassifiedStatement, NamedObject, ObjectClass } from './statement.js';
import { LOCK_LEVELS, type LockLevel } from './types.js';

// Statements PostgreSQL refuses inside a transaction block (PreventInTransactionBlock).
const OUTSIDE_TRANSACTION = new Set([
  'CreatedbStmt',
  'DropdbStmt',
  'CreateTableSpaceStmt',
  'DropTableSpaceStmt',
  'AlterSystemStmt',
  'CreateSubscriptionStmt',
  'DropSubscriptionStmt',
]);

/** Turns one parsed top-level statement into our union. */
export function classify(node: unknown): ClassifiedStatement {
  const wrapped = unwrap(node);
  if (wrapped === undefined) return { kind: 'other', name: 'unknown', outsideTransactionOnly: false };
  const { tag, body } = wrapped;
  switch (tag) {
    case 'CreateStmt':
      return classifyCreateTable(body);
    case 'CreateTableAsStmt':
      return classifyCreateTableAs(body);
    case 'IndexStmt': {
      const table = readRangeVar(objectField(body, 'relation'));
      if (table === undefined) break;
      const index = stringField(body, 'idxname');
      return {
        kind: 'createIndex',
        table,
        ...(index === undefined ? {} : { index }),
        concurrent: boolField(body, 'concurrent'),
        unique: boolField(body, 'unique'),
      };
    }
    case 'DropStmt':
      return classifyDrop(body);
    case 'AlterTableStmt': {
      const table = readRangeVar(objectField(body, 'relation'));
      if (table === undefined) break;
      const commands = listField(body, 'cmds').flatMap((cmd) => {
        const cmdBody = nodeOf(cmd, 'AlterTableCmd');
        return cmdBody === undefined ? [] : [readAlterCommand(cmdBody)];
      });
      return { kind: 'alterTable', table, objectType: objectTypeName(stringField(body, 'objtype')), commands };
    }
    case 'RenameStmt':
      return classifyRename(body) ?? other(tag);
    case 'AlterObjectSchemaStmt': {
      const objectType = objectTypeName(stringField(body, 'objectType'));
      const name = objectName(body, objectType);
      if (name === undefined) break;
      return {
        kind: 'setSchema',
        object: { objectClass: objectClassOf(objectType), objectType, name },
        newSchema: stringField(body, 'newschema') ?? '',
      };
    }
    case 'AlterEnumStmt': {
      const typeName = relationFromNames(listField(body, 'typeName'));
      if (typeName === undefined) break;
      const from = stringField(body, 'oldVal');
      const to = stringField(body, 'newVal') ?? '';
      return from === undefined ? { kind: 'addEnumValue', typeName, value: to } : { kind: 'renameEnumValue', typeName, from, to };
    }
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt': {
      const table = readRangeVar(objectField(body, 'relation'));
      if (table === undefined) break;
      const kind = tag === 'InsertStmt' ? 'insert' : tag === 'UpdateStmt' ? 'update' : tag === 'DeleteStmt' ? 'delete' : 'merge';
      // MERGE is bounded by its join condition; INSERT has no WHERE to speak of.
      const where = body['whereClause'];
      const hasWhere = kind === 'insert' || kind === 'merge' || (where !== undefined && !isTautology(where));
      return { kind, table, hasWhere, reads: readRelations(body) };
    }
    case 'SelectStmt':
      return { kind: 'select', reads: readRelations(body), locksRows: listField(body, 'lockingClause').length > 0 };
    case 'TruncateStmt':
      return { kind: 'truncate', tables: rangeVarList(listField(body, 'relations')) };
    case 'LockStmt': {
      // LockStmt.mode is PostgreSQL's LOCKMODE number: 1 = ACCESS SHARE ... 8 = ACCESS EXCLUSIVE.
      const mode: LockLevel = LOCK_LEVELS[numberField(body, 'mode') - 1] ?? 'ACCESS EXCLUSIVE';
      return { kind: 'lockTable', tables: rangeVarList(listField(body, 'relations')), mode };
    }
    case 'VacuumStmt':
      return classifyVacuum(body);
    case 'ClusterStmt': {
      const table = readRangeVar(objectField(body, 'relation'));
      return table === undefined ? { kind: 'cluster' } : { kind: 'cluster', table };
    }
    case 'ReindexStmt':
      return classifyReindex(body);
    case 'RefreshMatViewStmt': {
      const view = readRangeVar(objectField(body, 'relation'));
      if (view === undefined) break;
      return { kind: 'refreshMaterializedView', view, concurrent: boolField(body, 'concurrent') };
    }
    case 'CreateTrigStmt': {
      const table = readRangeVar(objectField(body, 'relation'));
      if (table === undefined) break;
      return { kind: 'createTrigger', table };
    }
    case 'VariableSetStmt': {
      const value = stringField(objectField(nodeOf(listField(body, 'args')[0], 'A_Const'), 'sval'), 'sval');
      return {
        kind: 'setting',
        name: (stringField(body, 'name') ?? '').toLowerCase(),
        ...(stringField(body, 'kind') === 'VAR_SET_VALUE' && value !== undefined ? { value } : {}),
        local: boolField(body, 'is_local'),
      };
    }
    case 'TransactionStmt':
      return { kind: 'transaction', action: transactionAction(stringField(body, 'kind')) };
    case 'ViewStmt':
      return created(tag, 'view', readRangeVar(objectField(body, 'view')));
    case 'CreateSeqStmt':
      return created(tag, 'sequence', readRangeVar(objectField(body, 'sequence')));
    case 'CreateFunctionStmt':
      return created(tag, boolField(body, 'is_procedure') ? 'procedure' : 'function', relationFromNames(listField(body, 'funcname')));
    case 'CompositeTypeStmt':
      return created(tag, 'type', readRangeVar(objectField(body, 'typevar')));
    case 'CreateEnumStmt':
      return created(tag, 'type', relationFromNames(listField(body, 'typeName')));
    case 'CreateDomainStmt':
      return created(tag, 'domain', relationFromNames(listField(body, 'domainname')));
    default:
      break;
  }
  return other(tag);
}

function other(tag: string): ClassifiedStatement {
  return { kind: 'other', name: camelName(tag), outsideTransactionOnly: OUTSIDE_TRANSACTION.has(tag) };
}

function created(tag: string, objectType: string, name: RelationName | undefined): ClassifiedStatement {
  if (name === undefined) return other(tag);
  // `createView`, `createFunction`, `createType`, ...: named after what is created, not the parser node.
  const nodeName = `create${objectType.charAt(0).toUpperCase()}${objectType.slice(1)}`;
  return { kind: 'createObject', object: { objectClass: objectClassOf(objectType), objectType, name }, nodeName };
}

/** `CreateFunctionStmt` → `createFunction`, the fact kind for statements we do not model. */
function camelName(tag: string): string {
  const base = tag.endsWith('Stmt') ? tag.slice(0, -4) : tag;
  return base.charAt(0).toLowerCase() + base.slice(1);
}

function classifyCreateTable(body: AstObject): ClassifiedStatement {
  const table = readRangeVar(objectField(body, 'relation'));
  if (table === undefined) return other('CreateStmt');
  const references: RelationName[] = [];
  const collect = (constraints: readonly AstObject[]): void => {
    for (const c of constraints) {
      const info = readConstraint(c);
      if (info.references !== undefined) references.push(info.references);
    }
  };
  for (const element of listField(body, 'tableElts')) {
    collect(constraintBodies([element]));
    collect(constraintBodies(listField(nodeOf(element, 'ColumnDef'), 'constraints')));
  }
  // CREATE TABLE ... PARTITION OF parent has a partition bound; plain INHERITS does not.
  const parent = rangeVarList(listField(body, 'inhRelations'))[0];
  const partitionOf = body['partbound'] !== undefined ? parent : undefined;
  return {
    kind: 'createTable',
    table,
    objectType: 'table',
    references,
    ...(partitionOf === undefined ? {} : { partitionOf }),
    reads: [],
  };
}

function classifyCreateTableAs(body: AstObject): ClassifiedStatement {
  const table = readRangeVar(objectField(objectField(body, 'into'), 'rel'));
  if (table === undefined) return other('CreateTableAsStmt');
  const objectType = stringField(body, 'objtype') === 'OBJECT_MATVIEW' ? 'materialized view' : 'table';
  return { kind: 'createTable', table, objectType, references: [], reads: readRelations(body['query']) };
}

function classifyDrop(body: AstObject): ClassifiedStatement {
  const objectType = objectTypeName(stringField(body, 'removeType'));
  const objects: NamedObject[] = [];
  for (const item of listField(body, 'objects')) {
    const named = dropItemName(item, objectType);
    if (named !== undefined) objects.push({ objectClass: objectClassOf(objectType), objectType, ...named });
  }
  return { kind: 'drop', objectType, objects, concurrent: boolField(body, 'concurrent') };
}

function dropItemName(item: unknown, objectType: string): Pick<NamedObject, 'name' | 'member'> | undefined {
  const list = nodeOf(item, 'List');
  if (list !== undefined) {
    const items = listField(list, 'items');
    // DROP TRIGGER / POLICY / RULE name ON table: the list is [table..., name].
    if (objectType === 'trigger' || objectType === 'policy' || objectType === 'rule') {
      const member = stringList(items)[items.length - 1];
      const table = relationFromNames(items.slice(0, -1));
      return table === undefined || member === undefined ? undefined : { name: table, member };
    }
    const name = relationFromNames(items);
    return name === undefined ? undefined : { name };
  }
  const withArgs = nodeOf(item, 'ObjectWithArgs');
  const typeName = nodeOf(item, 'TypeName');
  const name =
    withArgs !== undefined
      ? relationFromNames(listField(withArgs, 'objname'))
      : typeName !== undefined
        ? relationFromNames(listField(typeName, 'names'))
        : undefined;
  if (name !== undefined) return { name };
  const str = stringField(nodeOf(item, 'String'), 'sval');
  return str === undefined ? undefined : { name: { name: str } };
}

function classifyRename(body: AstObject): ClassifiedStatement | undefined {
  const renameType = objectTypeName(stringField(body, 'renameType'));
  const newName = stringField(body, 'newname') ?? '';
  const subName = stringField(body, 'subname');
  const relation = readRangeVar(objectField(body, 'relation'));
  if (relation !== undefined) {
    // Column and constraint renames name their table; the object is the table.
    const relationType = objectTypeName(stringField(body, 'relationType'));
    const objectType = subName === undefined ? renameType : relationType === 'access method' ? 'table' : relationType;
    return {
      kind: 'rename',
      object: { objectClass: objectClassOf(objectType), objectType, name: relation },
      ...(subName === undefined ? {} : { subName }),
      renamedType: renameType,
      newName,
    };
  }
  const name = objectName(body, renameType);
  if (name === undefined) return undefined;
  return {
    kind: 'rename',
    object: { objectClass: objectClassOf(renameType), objectType: renameType, name },
    renamedType: renameType,
    newName,
  };
}

/** The `object` of RENAME / SET SCHEMA statements on non-relations (functions, types, schemas). */
function objectName(body: AstObject, objectType: string): RelationName | undefined {
  const relation = readRangeVar(objectField(body, 'relation'));
  if (relation !== undefined) return relation;
  const object = body['object'];
  const withArgs = nodeOf(object, 'ObjectWithArgs');
  if (withArgs !== undefined) return relationFromNames(listField(withArgs, 'objname'));
  const list = nodeOf(object, 'List');
  if (list !== undefined) return relationFromNames(listField(list, 'items'));
  const str = stringField(nodeOf(object, 'String'), 'sval') ?? (objectType === 'schema' ? stringField(body, 'subname') : undefined);
  return str === undefined ? undefined : { name: str };
}

function classifyVacuum(body: AstObject): ClassifiedStatement {
  let full = false;
  for (const option of listField(body, 'options')) {
    const def = nodeOf(option, 'DefElem');
    if (stringField(def, 'defname') === 'full') full = defElemIsTrue(def);
  }
  const tables: RelationName[] = [];
  for (const rel of listField(body, 'rels')) {
    const table = readRangeVar(objectField(nodeOf(rel, 'VacuumRelation'), 'relation'));
    if (table !== undefined) tables.push(table);
  }
  return { kind: 'vacuum', tables, full, analyzeOnly: !boolField(body, 'is_vacuumcmd') };
}

/** `(FULL)`, `(FULL true)`, `(FULL on)`, `(FULL 1)` are all true; `(FULL false)` is not. */
function defElemIsTrue(def: AstObject | undefined): boolean {
  const arg = def?.['arg'];
  if (arg === undefined) return true;
  const text = stringField(nodeOf(arg, 'String'), 'sval') ?? stringField(nodeOf(arg, 'Boolean'), 'boolval');
  if (text !== undefined) return !['false', 'off', '0', 'no'].includes(text.toLowerCase());
  const bool = nodeOf(arg, 'Boolean');
  if (bool !== undefined) return boolField(bool, 'boolval');
  const int = nodeOf(arg, 'Integer');
  return int === undefined || numberField(int, 'ival') !== 0;
}

function classifyReindex(body: AstObject): ClassifiedStatement {
  const kinds = {
    REINDEX_OBJECT_INDEX: 'index',
    REINDEX_OBJECT_TABLE: 'table',
    REINDEX_OBJECT_SCHEMA: 'schema',
    REINDEX_OBJECT_DATABASE: 'database',
    REINDEX_OBJECT_SYSTEM: 'system',
  } as const;
  const kindName = stringField(body, 'kind');
  const target = kindName !== undefined && kindName in kinds ? kinds[kindName as keyof typeof kinds] : 'table';
  const relation = readRangeVar(objectField(body, 'relation'));
  const concurrent = listField(body, 'params').some((p) => {
    const def = nodeOf(p, 'DefElem');
    return stringField(def, 'defname') === 'concurrently' && defElemIsTrue(def);
  });
  const name = relation?.name ?? stringField(body, 'name') ?? '';
  return { kind: 'reindex', target, ...(relation === undefined ? {} : { relation }), name, concurrent };
}

function transactionAction(kind: string | undefined): 'begin' | 'commit' | 'rollback' | 'other' {
  switch (kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return 'begin';
    case 'TRANS_STMT_COMMIT':
      return 'commit';
    case 'TRANS_STMT_ROLLBACK':
      return 'rollback';
    default:
      return 'other';
  }
}

/** Tables read by a statement: every wrapped RangeVar below it, minus CTE names. */
function readRelations(node: unknown): readonly RelationName[] {
  const ctes = new Set<string>();
  const found: RelationName[] = [];
  walk(node, (tag, body) => {
    if (tag === 'CommonTableExpr') {
      const name = stringField(body, 'ctename');
      if (name !== undefined) ctes.add(name);
    } else if (tag === 'RangeVar') {
      const rel = readRangeVar(body);
      if (rel !== undefined) found.push(rel);
    }
  });
  return found.filter((rel) => rel.schema !== undefined || !ctes.has(rel.name));
}

function rangeVarList(items: readonly unknown[]): readonly RelationName[] {
  const out: RelationName[] = [];
  for (const item of items) {
    const rel = readRangeVar(nodeOf(item, 'RangeVar'));
    if (rel !== undefined) out.push(rel);
  }
  return out;
}

/** `OBJECT_MATVIEW` → `materialized view`, as SQL spells the object type. */
function objectTypeName(objectType: string | undefined): string {
  if (objectType === undefined) return 'object';
  const special: Readonly<Record<string, string>> = {
    OBJECT_MATVIEW: 'materialized view',
    OBJECT_TABCONSTRAINT: 'constraint',
    OBJECT_FOREIGN_TABLE: 'foreign table',
  };
  return special[objectType] ?? objectType.replace(/^OBJECT_/, '').replace(/_/g, ' ').toLowerCase();
}

const CLASSES: Readonly<Record<string, ObjectClass>> = {
  table: 'relation',
  view: 'relation',
  'materialized view': 'relation',
  sequence: 'relation',
  'foreign table': 'relation',
  index: 'relation',
  function: 'routine',
  procedure: 'routine',
  routine: 'routine',
  aggregate: 'routine',
  type: 'type',
  domain: 'type',
};

function objectClassOf(objectType: string): ObjectClass {
  return CLASSES[objectType] ?? 'other';
}

