import { assertNever } from '../errors.js';
import type { SqlForm, SqlNormalizer } from '../plan/index.js';
import { parseTree, withParser } from './parser.js';

/** Offsets into the text: they move with every whitespace or comment edit (libpg-query 18 adds the bounds of an IN list). */
export const POSITION_KEYS: ReadonlySet<string> = new Set(['location', 'stmt_location', 'stmt_len', 'rexpr_list_start', 'rexpr_list_end']);

/**
 * Runs `work` with a normaliser that reads SQL as PostgreSQL does: equal
 * parse trees (offsets left out) give equal text, so whitespace and comments
 * do not count, while constants and names do. Text that does not parse is
 * compared as written.
 */
export function withSqlNormalizer<T>(work: (normalize: SqlNormalizer) => T): Promise<T> {
  return withParser(() => work(normalize));
}

const normalize: SqlNormalizer = (sql, form) => {
  const tree = parseTree(wrap(sql, form));
  return tree === undefined ? `unparsed:${sql}` : JSON.stringify(tree, (key, value: unknown) => (POSITION_KEYS.has(key) ? undefined : value));
};

/** A backfill's `set` and `where` are fragments; parse them inside the statement they end up in. */
function wrap(sql: string, form: SqlForm): string {
  switch (form) {
    case 'statements':
      return sql;
    case 'setList':
      return `UPDATE t SET ${sql}`;
    case 'condition':
      return `SELECT WHERE (${sql}\n)`;
    default:
      return assertNever(form);
  }
}
