import { type AstObject, boolField, listField, nodeOf, objectField, stringField } from './ast.js';
import { constraintBodies, readConstraint } from './constraint.js';
import { classifyDefault, type DefaultKind, isPlainColumnReference } from './expression.js';
import { readRangeVar } from './relation.js';
import type { AlterCommand, ConstraintInfo } from './statement.js';
import { type ColumnType, readTypeName } from './type-name.js';

const SERIAL_TYPES = new Set(['serial', 'bigserial', 'smallserial']);

const COPYING: Readonly<Record<string, string>> = {
  AT_SetLogged: 'SET LOGGED',
  AT_SetUnLogged: 'SET UNLOGGED',
  AT_SetAccessMethod: 'SET ACCESS METHOD',
  AT_SetTableSpace: 'SET TABLESPACE',
};

/** Reads one `AlterTableCmd` body. */
export function readAlterCommand(cmd: AstObject): AlterCommand {
  const subtype = stringField(cmd, 'subtype') ?? 'AT_Unknown';
  const column = stringField(cmd, 'name') ?? '';
  switch (subtype) {
    case 'AT_AddColumn':
      return readAddColumn(nodeOf(cmd['def'], 'ColumnDef'));
    case 'AT_DropColumn':
      return { kind: 'dropColumn', column };
    case 'AT_AlterColumnType': {
      const def = nodeOf(cmd['def'], 'ColumnDef');
      const type = readTypeName(objectField(def, 'typeName'));
      const using = def?.['raw_default'];
      return {
        kind: 'alterColumnType',
        column,
        ...(type === undefined ? {} : { type }),
        usingExpression: using !== undefined && !isPlainColumnReference(using, column),
      };
    }
    case 'AT_SetNotNull':
      return { kind: 'setNotNull', column };
    case 'AT_DropNotNull':
      return { kind: 'dropNotNull', column };
    case 'AT_ColumnDefault':
      return cmd['def'] === undefined ? { kind: 'dropDefault', column } : { kind: 'setDefault', column };
    case 'AT_AddConstraint': {
      const body = nodeOf(cmd['def'], 'Constraint');
      return body === undefined ? { kind: 'other', subtype } : { kind: 'addConstraint', constraint: readConstraint(body) };
    }
    case 'AT_ValidateConstraint':
      return { kind: 'validateConstraint', name: column };
    case 'AT_DropConstraint':
      return { kind: 'dropConstraint', name: column };
    case 'AT_AttachPartition':
    case 'AT_DetachPartition': {
      const partitionCmd = nodeOf(cmd['def'], 'PartitionCmd');
      const partition = readRangeVar(objectField(partitionCmd, 'name'));
      if (partition === undefined) return { kind: 'other', subtype };
      return subtype === 'AT_AttachPartition'
        ? { kind: 'attachPartition', partition }
        : { kind: 'detachPartition', partition, concurrent: boolField(partitionCmd, 'concurrent') };
    }
    default: {
      const what = COPYING[subtype];
      return what === undefined ? { kind: 'other', subtype } : { kind: 'rewriteTable', what };
    }
  }
}

function readAddColumn(def: AstObject | undefined): AlterCommand {
  const column = stringField(def, 'colname') ?? '';
  const type: ColumnType | undefined = readTypeName(objectField(def, 'typeName'));
  let defaultKind: DefaultKind | undefined;
  let notNull = false;
  let identity = false;
  let generated: 'stored' | 'virtual' | undefined;
  const constraints: ConstraintInfo[] = [];
  for (const body of constraintBodies(listField(def, 'constraints'))) {
    switch (stringField(body, 'contype')) {
      case 'CONSTR_DEFAULT':
        defaultKind = classifyDefault(body['raw_expr']);
        break;
      case 'CONSTR_NOTNULL':
        notNull = true;
        break;
      case 'CONSTR_IDENTITY':
        identity = true;
        break;
      case 'CONSTR_GENERATED':
        // PG 18 made VIRTUAL the default; the grammar records which one was meant.
        generated = stringField(body, 'generated_kind') === 'v' ? 'virtual' : 'stored';
        break;
      case 'CONSTR_CHECK':
      case 'CONSTR_FOREIGN':
      case 'CONSTR_UNIQUE':
      case 'CONSTR_PRIMARY':
        constraints.push(readConstraint(body, column));
        if (stringField(body, 'contype') === 'CONSTR_PRIMARY') notNull = true;
        break;
      default:
        break;
    }
  }
  if (type !== undefined && SERIAL_TYPES.has(type.name)) {
    // serial is sugar for DEFAULT nextval(...), evaluated once per existing row.
    defaultKind = { kind: 'volatile', culprit: 'nextval() (serial)', certain: true };
  }
  return {
    kind: 'addColumn',
    column,
    ...(type === undefined ? {} : { type }),
    ...(defaultKind === undefined ? {} : { default: defaultKind }),
    notNull,
    identity,
    ...(generated === undefined ? {} : { generated }),
    constraints,
  };
}
