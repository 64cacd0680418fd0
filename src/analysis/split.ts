import { SqlParseError, type SqlOrigin } from './errors.js';
import { parseStatements } from './parser.js';
import { SourceText } from './source-text.js';

/** A statement located in its source text. */
export interface LocatedStatement {
  readonly node: unknown;
  /** The statement text without surrounding whitespace or the trailing semicolon. */
  readonly sql: string;
  /** 1-based line of its first token. */
  readonly line: number;
  readonly startByte: number;
  readonly endByte: number;
}

export interface ParsedSource {
  readonly source: SourceText;
  readonly statements: readonly LocatedStatement[];
}

/**
 * Cuts a SQL text into statements with the PostgreSQL grammar's own
 * boundaries (stmt_location / stmt_len), so semicolons inside strings,
 * dollar quotes and comments never split anything. Runs within withParser().
 */
export function parseSource(sql: string, origin: SqlOrigin): ParsedSource {
  const source = new SourceText(sql);
  const outcome = parseStatements(sql, source.byteLength);
  if (outcome.kind === 'error') {
    const line = outcome.position === undefined ? undefined : source.lineAtCodePoint(outcome.position);
    throw new SqlParseError(origin, outcome.message, line, outcome.position === undefined ? undefined : { sql, position: outcome.position });
  }
  const statements = outcome.statements.map((raw): LocatedStatement => {
    const text = source.slice(raw.startByte, raw.endByte);
    const trimmed = text.trimStart();
    // The parser starts a statement at its first token, but stay robust if it ever includes leading blanks.
    const leadingNewlines = text.slice(0, text.length - trimmed.length).split('\n').length - 1;
    return {
      node: raw.node,
      sql: trimmed.trimEnd(),
      line: source.lineAtByte(raw.startByte) + leadingNewlines,
      startByte: raw.startByte,
      endByte: raw.endByte,
    };
  });
  return { source, statements };
}
