import pg from 'pg';

/*
 * Names in operations are exact identifiers, never folded: `column: 'Email'`
 * is the column "Email". They are quoted with the driver's escaping; values
 * go through its literal escaping (generated SQL is stored and shown, so it
 * cannot carry bind parameters).
 */

export const ident = (name: string): string => pg.escapeIdentifier(name);

export const literal = (value: string): string => pg.escapeLiteral(value);

/** A table as operations name it: exact name, optional exact schema (else the search_path decides). */
export interface TableRef {
  readonly schema: string | undefined;
  readonly table: string;
}

export const tableSql = (ref: TableRef): string => (ref.schema === undefined ? ident(ref.table) : `${ident(ref.schema)}.${ident(ref.table)}`);

/** The same table with another name in its schema (a generated helper table, a view). */
export const sibling = (ref: TableRef, name: string): TableRef => ({ schema: ref.schema, table: name });

/** A schema-qualified function or other object name next to a table. */
export const objectSql = (ref: TableRef, name: string): string => tableSql(sibling(ref, name));

/**
 * Author-written SQL (an expression, a condition, a type) as it is pasted
 * into generated SQL: a newline after it ends a trailing `--` comment, which
 * would otherwise swallow the rest of the line.
 */
export const pasted = (text: string): string => (text.includes('--') ? `${text}\n` : text);

/** `body` between dollar quotes whose tag does not occur in it (a hostile name cannot end the body early). */
export function dollarQuoted(body: string): string {
  let tag = '$pgate$';
  for (let n = 1; body.includes(tag); n++) tag = `$pgate${n}$`;
  return `${tag}\n${body}\n${tag}`;
}
