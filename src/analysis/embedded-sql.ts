import { type AstObject, listField, nodeOf, numberField, objectField, stringField, stringList, unwrap, walk } from './ast.js';
import { parsePlpgsql, parseStatements } from './parser.js';
import { displayRelation, relationFromNames } from './relation.js';
import { SourceText } from './source-text.js';

const MAY_CHANGE_SCHEMA_OR_DATA = /\b(?:alter|create|drop|update|delete|insert|merge|truncate|lock|vacuum|cluster|reindex|refresh|execute|open|set)\b/i;

/** A statement written inside a DO block or function body. */
export interface EmbeddedStatement {
  readonly node: unknown;
  readonly sql: string;
  /** 0-based line of the statement relative to the first line of the enclosing top-level statement. */
  readonly lineOffset: number;
}

/** SQL inside code that the analysis could not read statically. */
export interface OpaqueSql {
  readonly lineOffset: number;
  /** e.g. `EXECUTE with a string built at run time`. */
  readonly what: string;
}

/** The SQL a DO block or a PL/pgSQL or SQL function carries. */
export interface EmbeddedCode {
  /** `the DO block`, `function f`: how findings name the enclosing code. */
  readonly where: string;
  /** A DO block runs now, inside the migration; a function body runs when called. */
  readonly runsNow: boolean;
  readonly statements: readonly EmbeddedStatement[];
  readonly opaque: readonly OpaqueSql[];
}

/**
 * The code inside a DO or CREATE FUNCTION/PROCEDURE statement, or undefined
 * for any other statement or a language we cannot read (C, plpython, ...).
 * Runs within withParser().
 */
export function embeddedCode(node: unknown, statementSql: string): EmbeddedCode | undefined {
  const wrapped = unwrap(node);
  if (wrapped === undefined) return undefined;
  let options: readonly unknown[];
  let where: string;
  if (wrapped.tag === 'DoStmt') {
    options = listField(wrapped.body, 'args');
    where = 'the DO block';
  } else if (wrapped.tag === 'CreateFunctionStmt') {
    options = listField(wrapped.body, 'options');
    const name = relationFromNames(listField(wrapped.body, 'funcname'));
    where = `function ${name === undefined ? '' : displayRelation(name)}`;
  } else {
    return undefined;
  }
  const language = (optionString(options, 'language') ?? (wrapped.tag === 'DoStmt' ? 'plpgsql' : '')).toLowerCase();
  const body = optionString(options, 'as');
  if (body === undefined) return undefined;
  const bodyIndex = statementSql.indexOf(body);
  const bodyLine = bodyIndex < 0 ? 0 : lineCount(statementSql.slice(0, bodyIndex));
  const runsNow = wrapped.tag === 'DoStmt';
  if (language === 'sql') return { where, runsNow, ...sqlBody(body, bodyLine) };
  if (language !== 'plpgsql') return undefined;
  // The PL/pgSQL parser costs ten times the SQL one; a body without these words has nothing any rule judges.
  if (!MAY_CHANGE_SCHEMA_OR_DATA.test(body)) return { where, runsNow, statements: [], opaque: [] };
  const tree = parsePlpgsql(statementSql);
  if (tree === undefined) return { where, runsNow, statements: [], opaque: [{ lineOffset: bodyLine, what: 'a PL/pgSQL body that does not compile' }] };
  return { where, runsNow, ...plpgsqlBody(tree, bodyLine) };
}

function plpgsqlBody(tree: unknown, bodyLine: number): Pick<EmbeddedCode, 'statements' | 'opaque'> {
  const statements: EmbeddedStatement[] = [];
  const opaque: OpaqueSql[] = [];
  // PL/pgSQL numbers lines from the line holding the opening quote of the body.
  const at = (body: AstObject): number => bodyLine + Math.max(numberField(body, 'lineno') - 1, 0);
  walk(tree, (tag, body) => {
    switch (tag) {
      case 'PLpgSQL_stmt_execsql':
        readInto(statements, opaque, queryText(objectField(body, 'sqlstmt')), at(body), 'a statement that does not parse on its own');
        return;
      case 'PLpgSQL_stmt_dynexecute': {
        const literal = stringLiteral(queryText(objectField(body, 'query')));
        if (literal === undefined) opaque.push({ lineOffset: at(body), what: 'EXECUTE of a string built at run time' });
        else readInto(statements, opaque, literal, at(body), 'an EXECUTE string that does not parse');
        return;
      }
      case 'PLpgSQL_stmt_dynfors':
        opaque.push({ lineOffset: at(body), what: 'FOR ... IN EXECUTE of a string built at run time' });
        return;
      case 'PLpgSQL_stmt_open':
        if (body['dynquery'] !== undefined) opaque.push({ lineOffset: at(body), what: 'OPEN ... FOR EXECUTE of a string built at run time' });
        return;
      default:
        return;
    }
  });
  return { statements, opaque };
}

function sqlBody(body: string, bodyLine: number): Pick<EmbeddedCode, 'statements' | 'opaque'> {
  const statements: EmbeddedStatement[] = [];
  const opaque: OpaqueSql[] = [];
  readInto(statements, opaque, body, bodyLine, 'a SQL function body that does not parse');
  return { statements, opaque };
}

/** Parses `sql` found at `lineOffset` and adds its statements, or records it as unreadable. */
function readInto(statements: EmbeddedStatement[], opaque: OpaqueSql[], sql: string | undefined, lineOffset: number, failure: string): void {
  if (sql === undefined) return;
  const source = new SourceText(sql);
  const outcome = parseStatements(sql, source.byteLength);
  if (outcome.kind === 'error') {
    opaque.push({ lineOffset, what: failure });
    return;
  }
  for (const raw of outcome.statements) {
    const text = source.slice(raw.startByte, raw.endByte);
    const leadingLines = lineCount(text.slice(0, text.length - text.trimStart().length));
    statements.push({ node: raw.node, sql: text.trim(), lineOffset: lineOffset + source.lineAtByte(raw.startByte) - 1 + leadingLines });
  }
}

function queryText(expr: AstObject | undefined): string | undefined {
  return stringField(nodeOf(expr, 'PLpgSQL_expr') ?? expr, 'query');
}

/** The value of an expression that is exactly one string literal (`'ALTER TABLE ...'`), else undefined. */
function stringLiteral(expression: string | undefined): string | undefined {
  if (expression === undefined) return undefined;
  const select = new SourceText(`SELECT ${expression}`);
  const outcome = parseStatements(select.text, select.byteLength);
  if (outcome.kind === 'error' || outcome.statements.length !== 1) return undefined;
  const target = nodeOf(listField(nodeOf(outcome.statements[0]?.node, 'SelectStmt'), 'targetList')[0], 'ResTarget');
  return stringField(objectField(nodeOf(target?.['val'], 'A_Const'), 'sval'), 'sval');
}

function optionString(options: readonly unknown[], name: string): string | undefined {
  for (const option of options) {
    const def = nodeOf(option, 'DefElem');
    if (stringField(def, 'defname') !== name) continue;
    const arg = def?.['arg'];
    return stringField(nodeOf(arg, 'String'), 'sval') ?? stringList(listField(nodeOf(arg, 'List'), 'items'))[0];
  }
  return undefined;
}

function lineCount(text: string): number {
  return text.split('\n').length - 1;
}
