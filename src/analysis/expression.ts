import { nodeOf, boolField, listField, stringList, walk } from './ast.js';

/** How a DEFAULT expression behaves over the rows of an ALTER TABLE ... ADD COLUMN. */
export type DefaultKind =
  | { readonly kind: 'null' }
  /** Same value for every row (constant or stable): PG 11+ stores it once, no rewrite. */
  | { readonly kind: 'nonVolatile' }
  /** Evaluated per row, so every row must be written: `culprit` is the function. */
  | { readonly kind: 'volatile'; readonly culprit: string; readonly certain: boolean };

// Built-in functions whose pg_proc.provolatile is 'v'.
const VOLATILE = new Set([
  'random', 'random_normal', 'clock_timestamp', 'timeofday', 'gen_random_uuid', 'uuidv4', 'uuidv7', 'nextval',
  'setval', 'currval', 'lastval', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'gen_random_bytes',
  'txid_current', 'pg_current_xact_id', 'gen_salt',
]);

// Built-ins that are stable or immutable, i.e. evaluated once for ADD COLUMN.
// Anything else is treated as volatile because user functions default to VOLATILE.
const NON_VOLATILE = new Set([
  'now', 'statement_timestamp', 'transaction_timestamp', 'current_setting', 'current_database', 'current_schema',
  'lower', 'upper', 'length', 'concat', 'concat_ws', 'md5', 'to_char', 'to_timestamp', 'to_date', 'date_trunc',
  'make_date', 'make_time', 'make_timestamp', 'make_timestamptz', 'make_interval', 'jsonb_build_object',
  'json_build_object', 'jsonb_build_array', 'json_build_array', 'to_jsonb', 'to_json', 'array_fill', 'abs',
  'round', 'trim', 'btrim', 'ltrim', 'rtrim', 'replace', 'substring', 'substr', 'left', 'right', 'timezone',
  'date_part', 'extract', 'age', 'greatest', 'least', 'nullif', 'encode', 'decode', 'sha256', 'format',
]);

/** Classifies a raw DEFAULT expression (the `raw_expr` of a CONSTR_DEFAULT). */
export function classifyDefault(expr: unknown): DefaultKind {
  if (isNullConstant(expr)) return { kind: 'null' };
  let unknownFunction: string | undefined;
  let volatileFunction: string | undefined;
  walk(expr, (tag, body) => {
    if (tag !== 'FuncCall') return;
    const names = stringList(listField(body, 'funcname'));
    const name = (names[names.length - 1] ?? '').toLowerCase();
    if (VOLATILE.has(name)) volatileFunction ??= name;
    else if (!NON_VOLATILE.has(name)) unknownFunction ??= names.join('.');
  });
  if (volatileFunction !== undefined) return { kind: 'volatile', culprit: `${volatileFunction}()`, certain: true };
  if (unknownFunction !== undefined) return { kind: 'volatile', culprit: `${unknownFunction}()`, certain: false };
  return { kind: 'nonVolatile' };
}

function isNullConstant(expr: unknown): boolean {
  const cast = nodeOf(expr, 'TypeCast');
  if (cast !== undefined) return isNullConstant(cast['arg']);
  return boolField(nodeOf(expr, 'A_Const'), 'isnull');
}

/** The column name when `expr` is exactly `col IS NOT NULL`, the proof SET NOT NULL can use. */
export function isNotNullTestColumn(expr: unknown): string | undefined {
  const test = nodeOf(expr, 'NullTest');
  if (test === undefined || test['nulltesttype'] !== 'IS_NOT_NULL') return undefined;
  const fields = stringList(listField(nodeOf(test['arg'], 'ColumnRef'), 'fields'));
  return fields.length === 1 ? fields[0] : undefined;
}

/** True when a USING expression is just the column (optionally cast), which adds no work of its own. */
export function isPlainColumnReference(expr: unknown, column: string): boolean {
  const cast = nodeOf(expr, 'TypeCast');
  if (cast !== undefined) return isPlainColumnReference(cast['arg'], column);
  const fields = stringList(listField(nodeOf(expr, 'ColumnRef'), 'fields'));
  return fields.length === 1 && fields[0] === column;
}


/**
 * True when a WHERE clause visibly selects every row: `true`, `1 = 1`,
 * `'a' = 'a'`, `NOT false`, `col IS NULL OR col IS NOT NULL`, and AND/OR
 * combinations of those. Anything that reads a column or calls a function
 * counts as selective.
 */
export function isTautology(expr: unknown): boolean {
  const constant = constantText(expr);
  if (constant !== undefined) return constant === 'true';
  const bool = nodeOf(expr, 'BoolExpr');
  if (bool !== undefined) {
    const args = listField(bool, 'args');
    switch (bool['boolop']) {
      case 'AND_EXPR':
        return args.every(isTautology);
      case 'OR_EXPR':
        return args.some(isTautology) || complementaryNullTests(args);
      case 'NOT_EXPR':
        return args.length === 1 && constantText(args[0]) === 'false';
      default:
        return false;
    }
  }
  const op = nodeOf(expr, 'A_Expr');
  if (op === undefined || op['kind'] !== 'AEXPR_OP') return false;
  const name = stringList(listField(op, 'name')).join('.');
  const left = constantText(op['lexpr']);
  const right = constantText(op['rexpr']);
  if (left === undefined || right === undefined) return false;
  return (name === '=' && left === right) || (name === '<>' && left !== right) || (name === '!=' && left !== right);
}

/** The text of a literal (`1`, `'a'`, `true`), unwrapping casts; undefined for anything else. */
function constantText(expr: unknown): string | undefined {
  const cast = nodeOf(expr, 'TypeCast');
  if (cast !== undefined) return constantText(cast['arg']);
  const constant = nodeOf(expr, 'A_Const');
  if (constant === undefined || boolField(constant, 'isnull')) return undefined;
  const boolval = nodeOf(constant, 'boolval');
  if (boolval !== undefined) return boolField(boolval, 'boolval') ? 'true' : 'false';
  for (const [key, field] of [['ival', 'ival'], ['fval', 'fval'], ['sval', 'sval']] as const) {
    const inner = nodeOf(constant, key);
    if (inner !== undefined) return `${key}:${String(inner[field] ?? 0)}`;
  }
  return undefined;
}

/** `col IS NULL OR col IS NOT NULL` on the same column. */
function complementaryNullTests(args: readonly unknown[]): boolean {
  const seen = new Map<string, Set<unknown>>();
  for (const arg of args) {
    const test = nodeOf(arg, 'NullTest');
    if (test === undefined) continue;
    const column = stringList(listField(nodeOf(test['arg'], 'ColumnRef'), 'fields')).join('.');
    if (column === '') continue;
    const kinds = seen.get(column) ?? new Set<unknown>();
    kinds.add(test['nulltesttype']);
    seen.set(column, kinds);
    if (kinds.size === 2) return true;
  }
  return false;
}
