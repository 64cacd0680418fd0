/**
 * The only module that imports libpg-query (STYLE §2.1). It loads the WASM
 * parser once and turns its output into offsets we control.
 */
import { isObject, listField, numberField } from './ast.js';

type LibPgQuery = typeof import('libpg-query');

let loading: Promise<void> | undefined;
let lib: LibPgQuery | undefined;

/**
 * Loads the WASM parser once; every public analysis function awaits this
 * first. The package itself is imported only here, so a command that parses
 * nothing (a no-op `advance`) never loads it.
 */
export function loadParser(): Promise<void> {
  loading ??= (async () => {
    const module = await import('libpg-query');
    await module.loadModule();
    lib = module;
  })();
  return loading;
}

/** The loaded parser; calling a parse function before loadParser() resolved is a bug. */
function parser(): LibPgQuery {
  if (lib === undefined) throw new Error('the SQL parser is used before loadParser() resolved');
  return lib;
}

/** One top-level statement as the parser delimits it. */
export interface RawStatement {
  readonly node: unknown;
  readonly startByte: number;
  /** Exclusive; the parser's `stmt_len` (0 means "to the end of the text"). */
  readonly endByte: number;
}

export type ParseOutcome =
  | { readonly kind: 'ok'; readonly statements: readonly RawStatement[] }
  /** `position` is the 0-based character offset the parser points at. */
  | { readonly kind: 'error'; readonly message: string; readonly position: number | undefined };

/** Parses a whole SQL text; `byteLength` bounds the last statement. Requires loadParser(). */
export function parseStatements(sql: string, byteLength: number): ParseOutcome {
  let result: unknown;
  try {
    // libpg-query rejects an empty string instead of returning no statements.
    result = sql.trim() === '' ? { stmts: [] } : parser().parseSync(sql);
  } catch (error) {
    return { kind: 'error', ...parserError(error) };
  }
  const statements: RawStatement[] = [];
  for (const raw of listField(isObject(result) ? result : undefined, 'stmts')) {
    if (!isObject(raw)) continue;
    const startByte = numberField(raw, 'stmt_location');
    const len = numberField(raw, 'stmt_len');
    statements.push({ node: raw['stmt'], startByte, endByte: len === 0 ? byteLength : startByte + len });
  }
  return { kind: 'ok', statements };
}

/** The parse tree of `sql`, or undefined when it does not parse. Requires loadParser(). */
export function parseTree(sql: string): unknown {
  try {
    return parser().parseSync(sql);
  } catch {
    return undefined;
  }
}

function parserError(error: unknown): { readonly message: string; readonly position: number | undefined } {
  const message = error instanceof Error ? error.message : String(error);
  const details = isObject(error) ? error['sqlDetails'] : undefined;
  const cursor = isObject(details) ? details['cursorPosition'] : undefined;
  return { message, position: typeof cursor === 'number' && cursor >= 0 ? cursor : undefined };
}

/** The PL/pgSQL tree of a DO block or CREATE FUNCTION statement, or undefined when it does not compile. Requires loadParser(). */
export function parsePlpgsql(statement: string): unknown {
  try {
    return listField(asObject(parser().parsePlPgSQLSync(statement)), 'plpgsql_funcs')[0];
  } catch {
    return undefined;
  }
}

/** A comment token with its byte span. */
export interface CommentToken {
  readonly text: string;
  readonly startByte: number;
  readonly endByte: number;
}

/** The `--` and `/* *\/` comments of a text that already parsed. Requires loadParser(). */
export function scanComments(sql: string): readonly CommentToken[] {
  const out: CommentToken[] = [];
  for (const token of listField(asObject(parser().scanSync(sql)), 'tokens')) {
    if (!isObject(token)) continue;
    const name = token['tokenName'];
    const text = token['text'];
    if ((name === 'SQL_COMMENT' || name === 'C_COMMENT') && typeof text === 'string') {
      out.push({ text, startByte: numberField(token, 'start'), endByte: numberField(token, 'end') });
    }
  }
  return out;
}

/** The text of every string constant ('...', E'...', $$...$$) in a text that already parsed. Requires loadParser(). */
export function scanStringConstants(sql: string): readonly string[] {
  const out: string[] = [];
  for (const token of listField(asObject(parser().scanSync(sql)), 'tokens')) {
    if (isObject(token) && token['tokenName'] === 'SCONST' && typeof token['text'] === 'string') out.push(token['text']);
  }
  return out;
}

/** Parses a SQL type name such as `varchar(20)` into its `TypeName` node, or undefined. */
export function parseTypeName(type: string): unknown {
  if (type.includes(';')) return undefined;
  try {
    const result: unknown = parser().parseSync(`SELECT NULL::${type}`);
    const stmt = listField(asObject(result), 'stmts')[0];
    const select = isObject(stmt) && isObject(stmt['stmt']) ? stmt['stmt']['SelectStmt'] : undefined;
    const target = listField(asObject(select), 'targetList')[0];
    const resTarget = isObject(target) ? target['ResTarget'] : undefined;
    const val = isObject(resTarget) ? resTarget['val'] : undefined;
    const cast = isObject(val) ? val['TypeCast'] : undefined;
    return isObject(cast) ? cast['typeName'] : undefined;
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return isObject(value) ? value : undefined;
}
