import { assertNever, PhasegateError } from '../errors.js';
import type { Migration } from '../plan/index.js';
import { isObject, listField, nodeOf, objectField, stringField, stringList, unwrap, type AstObject } from './ast.js';
import { POSITION_KEYS } from './normalize.js';
import { parseStatements, scanStringConstants } from './parser.js';
import type { SqlFragment } from './types.js';

/*
 * How each kind is embedded by the runner. `condition` and `setList` are
 * pasted into batch statements, so the check parses them standalone (nothing
 * may be left open or follow them) and in the embedded shape (they must stay
 * one expression / one SET list there). The newline ends a trailing `--`
 * comment; the embedding code in backfill/ uses the same shapes.
 */
const CONDITION_ALONE = (sql: string): string => `SELECT WHERE ${sql}\n`;
const CONDITION_EMBEDDED = (sql: string): string => `SELECT WHERE true AND (${sql}\n)`;
const SET_ALONE = (sql: string): string => `UPDATE t SET ${sql}\n`;
const SET_EMBEDDED = (sql: string): string => `UPDATE t SET ${sql}\n WHERE true`;
const EXPRESSION_ALONE = (sql: string): string => `SELECT ${sql}\n`;
const EXPRESSION_EMBEDDED = (sql: string): string => `SELECT (${sql}\n)`;
const TYPE_ALONE = (sql: string): string => `CREATE TABLE t (c ${sql}\n)`;
const TYPE_EMBEDDED = (sql: string): string => `SELECT CAST(NULL AS ${sql}\n)`;

/** Statements that write; inside a verify or health query only a data-modifying WITH can hold one. */
const WRITING_STATEMENTS: ReadonlySet<string> = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/**
 * Functions whose effect a READ ONLY transaction does not stop: they change
 * the session (settings, session-level advisory locks that would outlive the
 * query, even phasegate's own runner lock), other sessions, or the server.
 * Writes through any other function are refused by READ ONLY at run time.
 */
const SIDE_EFFECT_FUNCTIONS: ReadonlySet<string> = new Set([
  'set_config',
  'pg_advisory_lock',
  'pg_advisory_lock_shared',
  'pg_try_advisory_lock',
  'pg_try_advisory_lock_shared',
  'pg_advisory_unlock',
  'pg_advisory_unlock_shared',
  'pg_advisory_unlock_all',
  'pg_terminate_backend',
  'pg_cancel_backend',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_notify',
  'lo_export',
  'dblink',
  'dblink_exec',
]);

/** The field names of a migration's fragments, as written in its file. */
export function migrationFragments(migration: Migration): SqlFragment[] {
  const at = (path: string): string => `${migration.file}: ${path}`;
  const inOperations: SqlFragment[] = migration.operationFragments.map((f) => ({ kind: f.kind, field: at(f.field), sql: f.sql }));
  return inOperations.concat(migration.units.flatMap((unit) =>
    unit.steps.flatMap((step): SqlFragment[] => {
      if (step.kind === 'verify') return [{ kind: 'query', field: at(`${unit.phase}.verify`), sql: step.query }];
      if (step.kind !== 'backfill') return [];
      const { set, where, healthQuery } = step.spec;
      const base = `${unit.phase}.backfill`;
      return [
        { kind: 'setList', field: at(`${base}.set`), sql: set },
        ...(where === undefined ? [] : [{ kind: 'condition' as const, field: at(`${base}.where`), sql: where }]),
        ...(healthQuery === undefined ? [] : [{ kind: 'query' as const, field: at(`${base}.healthQuery`), sql: healthQuery }]),
      ];
    }),
  ));
}

/**
 * Refuses fragments that are not exactly what their field allows, listing
 * every problem as "<file>: <field>: <what is wrong>". Runs within withParser().
 */
export function assertFragments(fragments: readonly SqlFragment[], code: 'INVALID_MIGRATION' | 'INVALID_CONFIG'): void {
  const problems = fragments.flatMap((f) => {
    const problem = fragmentProblem(f);
    return problem === undefined ? [] : [`${f.field}: ${problem}`];
  });
  if (problems.length > 0) {
    throw new PhasegateError(code, problems.join('\n'), {
      hint: 'verify and healthQuery are one SELECT; a backfill where is one boolean expression; set is one list of column = value; in operations, up, down and defaults are one expression, checks one condition, types one type name; nothing of the migration ran',
    });
  }
}

/** What is wrong with one fragment, or undefined when it is fine. */
export function fragmentProblem(fragment: SqlFragment): string | undefined {
  switch (fragment.kind) {
    case 'query':
      return queryProblem(fragment.sql);
    case 'condition':
      return embeddedProblem(fragment.sql, 'one boolean expression', CONDITION_ALONE, CONDITION_EMBEDDED, conditionOf, embeddedCondition);
    case 'setList':
      return embeddedProblem(fragment.sql, 'one SET list (column = value, ...)', SET_ALONE, SET_EMBEDDED, setListOf, embeddedSetList);
    case 'expression':
      return embeddedProblem(fragment.sql, 'one SQL expression', EXPRESSION_ALONE, EXPRESSION_EMBEDDED, expressionOf, embeddedExpression);
    case 'typeName':
      return embeddedProblem(fragment.sql, 'one type name (e.g. bigint, varchar(200), jsonb)', TYPE_ALONE, TYPE_EMBEDDED, typeNameOf, embeddedTypeName);
    default:
      return assertNever(fragment.kind);
  }
}

/** A parse tree, or what keeps the text from being the one thing its field allows. */
type Outcome = { readonly kind: 'ok'; readonly node: unknown } | { readonly kind: 'problem'; readonly problem: string };

function queryProblem(sql: string): string | undefined {
  const parsed = parseOne(sql);
  if (parsed.kind === 'problem') return `must be one SELECT: ${parsed.problem}`;
  const select = nodeOf(parsed.node, 'SelectStmt');
  if (select === undefined) return `must be one SELECT, not ${describeTag(unwrap(parsed.node)?.tag)}`;
  if (select['intoClause'] !== undefined) return 'must be a plain SELECT: SELECT ... INTO creates a table';
  return sideEffectProblem(parsed.node);
}

/**
 * Checks a fragment alone (the grammar must close every string, comment and
 * parenthesis inside it, with nothing after it) and embedded (where it must
 * read as the very same tree).
 */
function embeddedProblem(
  sql: string,
  what: string,
  alone: (sql: string) => string,
  embedded: (sql: string) => string,
  extract: (stmt: unknown) => Outcome,
  extractEmbedded: (stmt: unknown) => unknown,
): string | undefined {
  const standalone = parseOne(alone(sql));
  const tree = standalone.kind === 'ok' ? extract(standalone.node) : standalone;
  if (tree.kind === 'problem') return `must be ${what}: ${tree.problem}`;
  const inPlace = parseOne(embedded(sql));
  if (inPlace.kind === 'problem' || !sameTree(extractEmbedded(inPlace.node), tree.node)) return `must be ${what}, and stay one where it is embedded`;
  if (scanStringConstants(sql).some((s) => s.startsWith("'") && s.includes('\\'))) {
    return "a backslash in a '...' string means different things under standard_conforming_strings; write it as E'...'";
  }
  return sideEffectProblem(tree.node);
}

function conditionOf(stmt: unknown): Outcome {
  const select = nodeOf(stmt, 'SelectStmt');
  const extra = Object.keys(select ?? {}).filter((k) => !['whereClause', 'limitOption', 'op'].includes(k) || (k === 'op' && select?.[k] !== 'SETOP_NONE'));
  return select === undefined || extra.length > 0 ? extraClauses(extra) : { kind: 'ok', node: select['whereClause'] };
}

function embeddedCondition(stmt: unknown): unknown {
  const and = nodeOf(objectField(nodeOf(stmt, 'SelectStmt'), 'whereClause'), 'BoolExpr');
  const args = listField(and, 'args');
  return stringField(and, 'boolop') === 'AND_EXPR' && args.length === 2 ? args[1] : undefined;
}

function setListOf(stmt: unknown): Outcome {
  const update = nodeOf(stmt, 'UpdateStmt');
  const extra = Object.keys(update ?? {}).filter((k) => !['relation', 'targetList'].includes(k));
  return update === undefined || extra.length > 0 ? extraClauses(extra) : { kind: 'ok', node: update['targetList'] };
}

function embeddedSetList(stmt: unknown): unknown {
  const update = nodeOf(stmt, 'UpdateStmt');
  return nodeOf(objectField(update, 'whereClause'), 'A_Const') === undefined ? undefined : update?.['targetList'];
}

function expressionOf(stmt: unknown): Outcome {
  const select = nodeOf(stmt, 'SelectStmt');
  const extra = Object.keys(select ?? {}).filter((k) => !['targetList', 'limitOption', 'op'].includes(k) || (k === 'op' && select?.[k] !== 'SETOP_NONE'));
  const [only, ...more] = listField(select, 'targetList');
  const target = nodeOf(only, 'ResTarget');
  if (select === undefined || extra.length > 0) return extraClauses(extra);
  if (target === undefined || more.length > 0 || target['name'] !== undefined) return { kind: 'problem', problem: `found ${more.length + 1} expressions or a named one` };
  return { kind: 'ok', node: target['val'] };
}

function embeddedExpression(stmt: unknown): unknown {
  const [only, ...more] = listField(nodeOf(stmt, 'SelectStmt'), 'targetList');
  return more.length === 0 ? nodeOf(only, 'ResTarget')?.['val'] : undefined;
}

function typeNameOf(stmt: unknown): Outcome {
  const create = nodeOf(stmt, 'CreateStmt');
  const [only, ...more] = listField(create, 'tableElts');
  const column = nodeOf(only, 'ColumnDef');
  const extra = Object.keys(column ?? {}).filter((k) => !['colname', 'typeName', 'is_local', 'location'].includes(k));
  if (column === undefined || more.length > 0 || extra.length > 0) return { kind: 'problem', problem: 'found more than a type (a constraint, a default or a second column)' };
  return { kind: 'ok', node: column['typeName'] };
}

function embeddedTypeName(stmt: unknown): unknown {
  const [only] = listField(nodeOf(stmt, 'SelectStmt'), 'targetList');
  return nodeOf(objectField(nodeOf(only, 'ResTarget'), 'val'), 'TypeCast')?.['typeName'];
}

/** The single statement of `sql`, or what is wrong (a parse error, none, several). */
function parseOne(sql: string): Outcome {
  const outcome = parseStatements(sql, sql.length);
  if (outcome.kind === 'error') return { kind: 'problem', problem: `it does not parse (${outcome.message})` };
  const [only, ...more] = outcome.statements;
  if (only === undefined || more.length > 0) return { kind: 'problem', problem: `found ${outcome.statements.length} statements` };
  return { kind: 'ok', node: only.node };
}

/** Row locks, data-modifying WITH and side-effect functions, anywhere in the tree. */
function sideEffectProblem(node: unknown): string | undefined {
  for (const { tag, body } of walk(node)) {
    if (WRITING_STATEMENTS.has(tag)) return `must only read, but contains ${describeTag(tag)}`;
    if (tag === 'SelectStmt' && listField(body, 'lockingClause').length > 0) return 'must only read, but FOR UPDATE/SHARE locks rows';
    if (tag === 'FuncCall') {
      const name = stringList(listField(body, 'funcname')).at(-1)?.toLowerCase() ?? '';
      if (SIDE_EFFECT_FUNCTIONS.has(name)) return `must only read, but calls ${name}(), whose effect READ ONLY does not stop`;
    }
  }
  return undefined;
}

function* walk(node: unknown): Generator<{ readonly tag: string; readonly body: AstObject }> {
  if (Array.isArray(node)) {
    for (const item of node) yield* walk(item);
    return;
  }
  if (!isObject(node)) return;
  const wrapped = unwrap(node);
  if (wrapped !== undefined && /^[A-Z]/.test(wrapped.tag)) yield wrapped;
  for (const value of Object.values(node)) yield* walk(value);
}

/** Equal parse trees, ignoring where in the text each node was. */
function sameTree(a: unknown, b: unknown): boolean {
  return a !== undefined && JSON.stringify(a, withoutLocation) === JSON.stringify(b, withoutLocation);
}

function withoutLocation(key: string, value: unknown): unknown {
  return POSITION_KEYS.has(key) ? undefined : value;
}

function describeTag(tag: string | undefined): string {
  if (tag === undefined) return 'an unknown statement';
  const words = tag.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
  return `${/^[AEIOU]/.test(words) ? 'an' : 'a'} ${words}`;
}

const CLAUSES: Readonly<Record<string, string>> = {
  sortClause: 'ORDER BY',
  limitCount: 'LIMIT',
  limitOffset: 'OFFSET',
  groupClause: 'GROUP BY',
  havingClause: 'HAVING',
  windowClause: 'WINDOW',
  lockingClause: 'FOR UPDATE/SHARE',
  op: 'UNION/INTERSECT/EXCEPT',
  whereClause: 'WHERE',
  fromClause: 'FROM',
  returningClause: 'RETURNING',
  returningList: 'RETURNING',
  withClause: 'WITH',
};

function extraClauses(keys: readonly string[]): Outcome {
  const clauses = [...new Set(keys.flatMap((k) => (CLAUSES[k] === undefined ? [] : [CLAUSES[k]])))];
  return { kind: 'problem', problem: `found ${clauses.length === 0 ? 'more SQL' : clauses.join(', ')} after it` };
}
