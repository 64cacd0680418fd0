import { type AstObject, boolField, listField, nodeOf, numberField, objectField, stringField, stringList, unwrap } from './ast.js';
import { constraintBodies } from './constraint.js';
import { readRangeVar, type RelationName } from './relation.js';
import { displayType, readTypeName } from './type-name.js';

/** An operation that does what a plain statement does, in all five phases: `ops.<op>(params)`. */
export interface OperationSuggestion {
  readonly op: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/*
 * The plain statements people reach for, each mapped to the operation that
 * makes it safe. Names come from the parse tree, so they are already folded
 * the way PostgreSQL folds them, which is what operations' exact names want.
 * Expressions are cut from the statement's text (the parser has no deparser).
 */

/** The operation for one parsed statement (`sql` is its text), or undefined when none fits. */
export function operationFor(node: unknown, sql: string): OperationSuggestion | undefined {
  const wrapped = unwrap(node);
  if (wrapped === undefined) return undefined;
  const { tag, body } = wrapped;
  if (tag === 'RenameStmt') return renameOperation(body);
  if (tag === 'IndexStmt') return indexOperation(body, sql);
  if (tag !== 'AlterTableStmt') return undefined;
  const relation = readRangeVar(objectField(body, 'relation'));
  const [only, ...more] = listField(body, 'cmds');
  const cmd = nodeOf(only, 'AlterTableCmd');
  if (relation === undefined || cmd === undefined || more.length > 0 || stringField(body, 'objtype') !== 'OBJECT_TABLE') return undefined;
  return alterOperation(table(relation), cmd, sql);
}

/** How a migration file writes the suggestion: `ops.alterColumn({ table: 'users', ... })`. */
export function renderOperation(suggestion: OperationSuggestion): string {
  return `ops.${suggestion.op}(${renderValue(suggestion.params)})`;
}

function table(relation: RelationName): Record<string, string> {
  return relation.schema === undefined ? { table: relation.name } : { table: relation.name, schema: relation.schema };
}

function renameOperation(body: AstObject): OperationSuggestion | undefined {
  const relation = readRangeVar(objectField(body, 'relation'));
  const to = stringField(body, 'newname');
  if (relation === undefined || to === undefined) return undefined;
  switch (stringField(body, 'renameType')) {
    case 'OBJECT_COLUMN': {
      const column = stringField(body, 'subname');
      return column === undefined ? undefined : { op: 'alterColumn', params: { ...table(relation), column, name: to } };
    }
    case 'OBJECT_TABLE':
      return { op: 'renameTable', params: { from: relation.name, to, ...(relation.schema === undefined ? {} : { schema: relation.schema }) } };
    default:
      return undefined;
  }
}

function indexOperation(body: AstObject, sql: string): OperationSuggestion | undefined {
  const relation = readRangeVar(objectField(body, 'relation'));
  const name = stringField(body, 'idxname');
  const columns = listField(body, 'indexParams').map((p) => stringField(nodeOf(p, 'IndexElem'), 'name'));
  if (relation === undefined || name === undefined || columns.length === 0 || columns.some((c) => c === undefined)) return undefined;
  const where = body['whereClause'] === undefined ? undefined : textAfterKeyword(sql, 'WHERE');
  return {
    op: 'createIndex',
    params: { ...table(relation), name, columns, ...(boolField(body, 'unique') ? { unique: true } : {}), ...(where === undefined ? {} : { where }) },
  };
}

function alterOperation(target: Record<string, string>, cmd: AstObject, sql: string): OperationSuggestion | undefined {
  const column = stringField(cmd, 'name');
  switch (stringField(cmd, 'subtype')) {
    case 'AT_AlterColumnType': {
      const def = nodeOf(cmd['def'], 'ColumnDef');
      const type = typeText(objectField(def, 'typeName'));
      if (column === undefined || type === undefined) return undefined;
      const up = def?.['raw_default'] === undefined ? undefined : textAfterKeyword(sql, 'USING');
      return { op: 'alterColumn', params: { ...target, column, type, ...(up === undefined ? {} : { up }) } };
    }
    case 'AT_SetNotNull':
      return column === undefined ? undefined : { op: 'alterColumn', params: { ...target, column, nullable: false } };
    case 'AT_DropColumn':
      return column === undefined ? undefined : { op: 'dropColumn', params: { ...target, column } };
    case 'AT_AddColumn':
      return addColumnOperation(target, nodeOf(cmd['def'], 'ColumnDef'));
    case 'AT_AddConstraint':
      return constraintOperation(target, nodeOf(cmd['def'], 'Constraint'), sql);
    default:
      return undefined;
  }
}

/** Only ADD COLUMN ... NOT NULL needs phases; a nullable column is one safe statement. */
function addColumnOperation(target: Record<string, string>, def: AstObject | undefined): OperationSuggestion | undefined {
  const name = stringField(def, 'colname');
  const type = typeText(objectField(def, 'typeName'));
  const constraints = constraintBodies(listField(def, 'constraints'));
  if (name === undefined || type === undefined || !constraints.some((c) => stringField(c, 'contype') === 'CONSTR_NOTNULL')) return undefined;
  const fallback = constraints.find((c) => stringField(c, 'contype') === 'CONSTR_DEFAULT');
  const value = constantText(fallback?.['raw_expr']);
  if (fallback !== undefined && value === undefined) return undefined;
  return { op: 'addColumn', params: { ...target, column: { name, type, nullable: false, ...(value === undefined ? {} : { default: value }) } } };
}

function constraintOperation(target: Record<string, string>, constraint: AstObject | undefined, sql: string): OperationSuggestion | undefined {
  const name = stringField(constraint, 'conname');
  if (name === undefined) return undefined;
  switch (stringField(constraint, 'contype')) {
    case 'CONSTR_CHECK': {
      const check = parenthesisedAfterKeyword(sql, 'CHECK');
      return check === undefined ? undefined : { op: 'addConstraint', params: { ...target, name, type: 'check', check } };
    }
    case 'CONSTR_UNIQUE':
      return { op: 'addConstraint', params: { ...target, name, type: 'unique', columns: stringList(listField(constraint, 'keys')) } };
    case 'CONSTR_FOREIGN': {
      const references = readRangeVar(objectField(constraint, 'pktable'));
      if (references === undefined) return undefined;
      return {
        op: 'addConstraint',
        params: {
          ...target,
          name,
          type: 'foreignKey',
          columns: stringList(listField(constraint, 'fk_attrs')),
          references: { ...table(references), columns: stringList(listField(constraint, 'pk_attrs')) },
        },
      };
    }
    default:
      return undefined;
  }
}

/** How people write the types the catalog names tersely. */
const SQL_SPELLING: Readonly<Record<string, string>> = { int2: 'smallint', int4: 'integer', int8: 'bigint', float4: 'real', float8: 'double precision', bool: 'boolean', bpchar: 'char' };

function typeText(node: AstObject | undefined): string | undefined {
  const type = readTypeName(node);
  if (type === undefined || type.opaqueTypmods) return undefined;
  const names = stringList(listField(node, 'names'));
  const schema = names.length > 1 && names[0] !== 'pg_catalog' ? `${names[0]}.` : '';
  return `${schema}${SQL_SPELLING[type.name] ?? type.name}${displayType({ ...type, name: '' })}`;
}

/** A constant default as SQL text ('x', 42, true), or undefined for anything computed. */
function constantText(expr: unknown): string | undefined {
  const value = nodeOf(expr, 'A_Const');
  if (value === undefined) return undefined;
  const text = stringField(objectField(value, 'sval'), 'sval');
  if (text !== undefined) return `'${text.replaceAll("'", "''")}'`;
  const integer = objectField(value, 'ival');
  if (integer !== undefined) return String(numberField(integer, 'ival'));
  const float = stringField(objectField(value, 'fval'), 'fval');
  if (float !== undefined) return float;
  const bool = objectField(value, 'boolval');
  return bool === undefined ? undefined : String(boolField(bool, 'boolval'));
}

/** The text after the last top-level `keyword` up to the end of the statement. */
function textAfterKeyword(sql: string, keyword: string): string | undefined {
  const at = keywordOffsets(sql, keyword).at(-1);
  const text = at === undefined ? '' : sql.slice(at + keyword.length).trim().replace(/;$/, '').trim();
  return text === '' ? undefined : text;
}

/** The inside of the parentheses that follow the first `keyword`. */
function parenthesisedAfterKeyword(sql: string, keyword: string): string | undefined {
  const at = keywordOffsets(sql, keyword)[0];
  if (at === undefined) return undefined;
  const open = sql.indexOf('(', at);
  let depth = 0;
  for (const [i, kind] of outsideQuotes(sql, open)) {
    if (kind === '(') depth++;
    if (kind === ')' && --depth === 0) return sql.slice(open + 1, i).trim();
  }
  return undefined;
}

/** Offsets of `keyword` as a word outside strings and quoted names, at parenthesis depth 0. */
function keywordOffsets(sql: string, keyword: string): number[] {
  const offsets: number[] = [];
  let depth = 0;
  const word = new RegExp(`^${keyword}(?![A-Za-z0-9_$])`, 'i');
  for (const [i, kind] of outsideQuotes(sql, 0)) {
    if (kind === '(') depth++;
    else if (kind === ')') depth--;
    else if (depth === 0 && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? ' ') && word.test(sql.slice(i))) offsets.push(i);
  }
  return offsets;
}

/** Each character offset from `start` that is not inside '...', "..." or a comment, with the character. */
function* outsideQuotes(sql: string, start: number): Generator<[number, string]> {
  let quote: string | undefined;
  for (let i = start; i < sql.length; i++) {
    const c = sql[i] ?? '';
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '-' && sql[i + 1] === '-') i = sql.indexOf('\n', i) < 0 ? sql.length : sql.indexOf('\n', i);
    else yield [i, c];
  }
}

function renderValue(value: unknown): string {
  if (typeof value === 'string') return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n')}'`;
  if (Array.isArray(value)) return `[${value.map(renderValue).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : renderValue(k)}: ${renderValue(v)}`);
    return `{ ${entries.join(', ')} }`;
  }
  return String(value);
}
