import { type AstObject, integerValue, listField, stringList } from './ast.js';

/** A column type reduced to what rewrite decisions need. */
export interface ColumnType {
  /** Canonical PostgreSQL type name (`int4`, `varchar`, `numeric`, ...), lowercase. */
  readonly name: string;
  /** Integer type modifiers (`varchar(20)` → `[20]`); empty when none were given. */
  readonly typmods: readonly number[];
  /** True when a modifier was not a plain integer, so we cannot reason about it. */
  readonly opaqueTypmods: boolean;
  readonly isArray: boolean;
}

// The grammar already maps SQL-standard spellings (integer, character varying)
// to catalog names; these are the spellings it leaves to type lookup.
const ALIASES: Readonly<Record<string, string>> = {
  int: 'int4', integer: 'int4', smallint: 'int2', bigint: 'int8', serial4: 'serial', serial8: 'bigserial',
  serial2: 'smallserial', decimal: 'numeric', real: 'float4', 'double precision': 'float8', float: 'float8',
  boolean: 'bool', char: 'bpchar', character: 'bpchar', 'character varying': 'varchar', 'bit varying': 'varbit',
};

/** Reads a `TypeName` body (from a ColumnDef or TypeCast). */
export function readTypeName(node: AstObject | undefined): ColumnType | undefined {
  const names = stringList(listField(node, 'names'));
  const last = names[names.length - 1];
  if (last === undefined) return undefined;
  const lower = last.toLowerCase();
  const typmods: number[] = [];
  let opaqueTypmods = false;
  for (const mod of listField(node, 'typmods')) {
    const value = integerValue(mod);
    if (value === undefined) opaqueTypmods = true;
    else typmods.push(value);
  }
  return { name: ALIASES[lower] ?? lower, typmods, opaqueTypmods, isArray: listField(node, 'arrayBounds').length > 0 };
}

/** `varchar(20)`, `numeric(10,2)`, `int4[]`: how messages name a type. */
export function displayType(type: ColumnType): string {
  const mods = type.typmods.length > 0 ? `(${type.typmods.join(',')})` : '';
  return `${type.name}${mods}${type.isArray ? '[]' : ''}`;
}
