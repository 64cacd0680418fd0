import { type AstObject, boolField, listField, nodeOf, objectField, stringField, stringList } from './ast.js';
import { isNotNullTestColumn } from './expression.js';
import { readRangeVar } from './relation.js';
import type { ConstraintInfo, ConstraintType } from './statement.js';

const TYPES: Readonly<Record<string, ConstraintType>> = {
  CONSTR_CHECK: 'check',
  CONSTR_FOREIGN: 'foreignKey',
  CONSTR_UNIQUE: 'unique',
  CONSTR_PRIMARY: 'primaryKey',
  CONSTR_EXCLUSION: 'exclusion',
  CONSTR_NOTNULL: 'notNull',
};

/** Reads a `Constraint` body (table-level or inline on a column). */
export function readConstraint(body: AstObject, column?: string): ConstraintInfo {
  const contype = stringField(body, 'contype') ?? '';
  const type = TYPES[contype] ?? 'other';
  const name = stringField(body, 'conname');
  const usingIndex = stringField(body, 'indexname');
  const references = type === 'foreignKey' ? readRangeVar(objectField(body, 'pktable')) : undefined;
  const notNullColumn =
    type === 'check'
      ? isNotNullTestColumn(body['raw_expr'])
      : type === 'notNull'
        ? (stringList(listField(body, 'keys'))[0] ?? column)
        : undefined;
  return {
    type,
    notValid: boolField(body, 'skip_validation'),
    ...(name === undefined ? {} : { name }),
    ...(usingIndex === undefined ? {} : { usingIndex }),
    ...(references === undefined ? {} : { references }),
    ...(notNullColumn === undefined ? {} : { notNullColumn }),
  };
}

/** The wrapped `Constraint` bodies of a list (ColumnDef.constraints, CreateStmt.tableElts). */
export function constraintBodies(items: readonly unknown[]): readonly AstObject[] {
  const out: AstObject[] = [];
  for (const item of items) {
    const body = nodeOf(item, 'Constraint');
    if (body !== undefined) out.push(body);
  }
  return out;
}
