/**
 * The only module that imports libpg-query (see docs/architecture.md). It loads the WASM
 * parser when a parse is not known yet and turns its output into offsets we
 * control.
 */
import { isObject, listField, numberField } from './ast.js';

type LibPgQuery = typeof import('libpg-query');

/**
 * Parser output kept by the caller between runs (the CLI keeps it on disk).
 * `kind` names the parser call; a value is the parser's JSON output for
 * exactly `text`, so it can never be stale. Without one, every parse loads
 * the parser.
 */
export interface ParseMemo {
  get(kind: ParseKind, text: string): unknown;
  set(kind: ParseKind, text: string, value: unknown): void;
}
export type ParseKind = 'parse' | 'plpgsql' | 'scan';

let loading: Promise<void> | undefined;
let lib: LibPgQuery | undefined;
let memo: ParseMemo | undefined;
/** Set when a call found neither the memo nor a loaded parser. */
let missed = false;

/** Where parser output is kept between runs; undefined forgets it. */
export function useParseMemo(next: ParseMemo | undefined): void {
  memo = next;
}

function loadParser(): Promise<void> {
  loading ??= (async () => {
    const module = await import('libpg-query');
    await module.loadModule();
    lib = module;
  })();
  return loading;
}

/**
 * Runs synchronous analysis work that parses. Loading the WASM parser is
 * most of a short command's start-up, so when a memo is in use the work
 * first runs from it alone; if any parse was not in it, that result is
 * thrown away (whatever the work made of the miss) and the work runs again
 * with the parser. The work is pure, so running it twice changes nothing.
 */
export async function withParser<T>(work: () => T): Promise<T> {
  if (lib === undefined && memo !== undefined) {
    missed = false;
    try {
      const result = work();
      if (!missed) return result;
    } catch (error) {
      if (!missed) throw error;
    }
  }
  await loadParser();
  return work();
}

/** Thrown inside work that withParser runs again with the parser. */
class ParserNotLoaded extends Error {}

/** The parser's output for `text`, from the memo when it is there. */
function call(kind: ParseKind, text: string, run: (parser: LibPgQuery) => unknown): unknown {
  const known = memo?.get(kind, text);
  if (known !== undefined) return known;
  if (lib === undefined) {
    missed = true;
    // Outside withParser this is a bug; inside it, the work runs again with the parser.
    throw new ParserNotLoaded('the SQL parser is used outside withParser()');
  }
  const value = run(lib);
  memo?.set(kind, text, value);
  return value;
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

/** Parses a whole SQL text; `byteLength` bounds the last statement. Runs within withParser(). */
export function parseStatements(sql: string, byteLength: number): ParseOutcome {
  let result: unknown;
  try {
    // libpg-query rejects an empty string instead of returning no statements.
    result = sql.trim() === '' ? { stmts: [] } : call('parse', sql, (parser) => parser.parseSync(sql));
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

/** The parse tree of `sql`, or undefined when it does not parse. Runs within withParser(). */
export function parseTree(sql: string): unknown {
  try {
    return call('parse', sql, (parser) => parser.parseSync(sql));
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

/** The PL/pgSQL tree of a DO block or CREATE FUNCTION statement, or undefined when it does not compile. Runs within withParser(). */
export function parsePlpgsql(statement: string): unknown {
  try {
    return listField(asObject(call('plpgsql', statement, (parser) => parser.parsePlPgSQLSync(statement))), 'plpgsql_funcs')[0];
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

/** The `--` and `/* *\/` comments of a text that already parsed. Runs within withParser(). */
export function scanComments(sql: string): readonly CommentToken[] {
  const out: CommentToken[] = [];
  for (const token of listField(asObject(scan(sql)), 'tokens')) {
    if (!isObject(token)) continue;
    const name = token['tokenName'];
    const text = token['text'];
    if ((name === 'SQL_COMMENT' || name === 'C_COMMENT') && typeof text === 'string') {
      out.push({ text, startByte: numberField(token, 'start'), endByte: numberField(token, 'end') });
    }
  }
  return out;
}

/** The text of every string constant ('...', E'...', $$...$$) in a text that already parsed. Runs within withParser(). */
export function scanStringConstants(sql: string): readonly string[] {
  const out: string[] = [];
  for (const token of listField(asObject(scan(sql)), 'tokens')) {
    if (isObject(token) && token['tokenName'] === 'SCONST' && typeof token['text'] === 'string') out.push(token['text']);
  }
  return out;
}

/** Parses a SQL type name such as `varchar(20)` into its `TypeName` node, or undefined. */
export function parseTypeName(type: string): unknown {
  if (type.includes(';')) return undefined;
  try {
    const sql = `SELECT NULL::${type}`;
    const result = call('parse', sql, (parser) => parser.parseSync(sql));
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

function scan(sql: string): unknown {
  return call('scan', sql, (parser) => parser.scanSync(sql));
}

function asObject(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return isObject(value) ? value : undefined;
}
