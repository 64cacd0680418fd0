import { type AstObject, stringField, stringList } from './ast.js';

/** A relation (table, index, view, ...) as written in the SQL: schema only if it was written. */
export interface RelationName {
  readonly schema?: string;
  readonly name: string;
}

/** Reads a bare or wrapped `RangeVar` body. */
export function readRangeVar(node: AstObject | undefined): RelationName | undefined {
  const name = stringField(node, 'relname');
  if (name === undefined) return undefined;
  const schema = stringField(node, 'schemaname');
  return schema === undefined ? { name } : { schema, name };
}

/** Reads a qualified name list (`[schema, name]` or `[name]`), as DROP and RENAME give it. */
export function relationFromNames(items: readonly unknown[]): RelationName | undefined {
  const names = stringList(items);
  const name = names[names.length - 1];
  if (name === undefined) return undefined;
  const schema = names.length >= 2 ? names[names.length - 2] : undefined;
  return schema === undefined ? { name } : { schema, name };
}

/** A map key for the exact name: "my.table" (one quoted name) and my.table (schema my) differ. */
export function relationKey(rel: RelationName): string {
  return JSON.stringify([rel.schema ?? null, rel.name]);
}

/** `schema.name` if qualified, else `name`: how reports and lock facts name it. */
export function displayRelation(rel: RelationName): string {
  return rel.schema === undefined ? rel.name : `${rel.schema}.${rel.name}`;
}

/**
 * Two names denote the same relation when the names match and the schemas do
 * not contradict: without a catalog we cannot resolve search_path, so an
 * unqualified name matches any schema.
 */
export function sameRelation(a: RelationName, b: RelationName): boolean {
  return a.name === b.name && (a.schema === undefined || b.schema === undefined || a.schema === b.schema);
}

/** The inverse of displayRelation, for names lock facts carry (`schema.name` or `name`). */
export function relationFromDisplay(display: string): RelationName {
  const dot = display.indexOf('.');
  return dot < 0 ? { name: display } : { schema: display.slice(0, dot), name: display.slice(dot + 1) };
}
