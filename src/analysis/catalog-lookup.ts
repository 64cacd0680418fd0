import { isObject } from './ast.js';
import { parseTypeName } from './parser.js';
import { displayRelation, type RelationName } from './relation.js';
import { type ColumnType, readTypeName } from './type-name.js';
import type { CatalogColumn } from './types.js';

/**
 * What the database says about existing columns: `columnTypes` (type text
 * only) and `catalogColumns` (type, NOT NULL, default, NOT NULL proof), both
 * keyed `table.column`. Types are parsed lazily with the real grammar so
 * `character varying(20)` and `varchar(20)` read the same.
 */
export class CatalogLookup {
  readonly #types: ReadonlyMap<string, string> | undefined;
  readonly #columns: ReadonlyMap<string, CatalogColumn> | undefined;
  readonly #cache = new Map<string, ColumnType | undefined>();

  constructor(types: ReadonlyMap<string, string> | undefined, columns: ReadonlyMap<string, CatalogColumn> | undefined) {
    this.#types = types;
    this.#columns = columns;
  }

  /** The column's current type, or undefined when no source knows it. */
  type(table: RelationName, column: string): ColumnType | undefined {
    const text = this.column(table, column)?.type ?? lookup(this.#types, table, column);
    if (text === undefined) return undefined;
    if (!this.#cache.has(text)) {
      const node = parseTypeName(text);
      this.#cache.set(text, isObject(node) ? readTypeName(node) : undefined);
    }
    return this.#cache.get(text);
  }

  /** The catalog facts of an existing column, or undefined without a database. */
  column(table: RelationName, column: string): CatalogColumn | undefined {
    return lookup(this.#columns, table, column);
  }
}

function lookup<T>(source: ReadonlyMap<string, T> | undefined, table: RelationName, column: string): T | undefined {
  if (source === undefined) return undefined;
  const keys = [`${displayRelation(table)}.${column}`, `${table.name}.${column}`, `${table.name.toLowerCase()}.${column.toLowerCase()}`];
  for (const key of keys) {
    const value = source.get(key);
    if (value !== undefined) return value;
  }
  return undefined;
}
