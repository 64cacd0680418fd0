import { isObject } from './ast.js';
import { parseTypeName } from './parser.js';
import { displayRelation, type RelationName } from './relation.js';
import { type ColumnType, readTypeName } from './type-name.js';

/**
 * The database's current column types (`table.column` → SQL type text), parsed
 * lazily with the real grammar so `character varying(20)` and `varchar(20)`
 * read the same.
 */
export class ColumnTypeLookup {
  readonly #source: ReadonlyMap<string, string> | undefined;
  readonly #cache = new Map<string, ColumnType | undefined>();

  constructor(source: ReadonlyMap<string, string> | undefined) {
    this.#source = source;
  }

  get(table: RelationName, column: string): ColumnType | undefined {
    const source = this.#source;
    if (source === undefined) return undefined;
    const key = [`${displayRelation(table)}.${column}`, `${table.name}.${column}`, `${table.name.toLowerCase()}.${column.toLowerCase()}`].find((k) =>
      source.has(k),
    );
    if (key === undefined) return undefined;
    if (!this.#cache.has(key)) {
      const node = parseTypeName(source.get(key) ?? '');
      this.#cache.set(key, isObject(node) ? readTypeName(node) : undefined);
    }
    return this.#cache.get(key);
  }
}
