import { z } from 'zod';
import type { OperationFragment, RequiredName } from './output.js';
import { identifier, sqlText } from './params.js';
import { ident, pasted, tableSql, type TableRef } from './sql.js';

/** What a foreign key does to referencing rows when the referenced row is deleted or its key updated. */
export const referentialAction = z.enum(['NO ACTION', 'RESTRICT', 'CASCADE', 'SET NULL', 'SET DEFAULT'], {
  error: "expected 'NO ACTION', 'RESTRICT', 'CASCADE', 'SET NULL' or 'SET DEFAULT'",
});

const columnList = z.array(identifier).min(1, 'must name at least one column');

/** The referenced side of a foreign key. */
export const foreignKeyTarget = z.strictObject({
  /** The referenced table (exact name). */
  table: identifier,
  /** Its schema; without it the search_path finds the table. */
  schema: identifier.optional(),
  /** The referenced columns, in the order of the referencing ones (a primary key or unique constraint). */
  columns: columnList,
  /** `ON DELETE` action; PostgreSQL's default is NO ACTION. */
  onDelete: referentialAction.optional(),
  /** `ON UPDATE` action; PostgreSQL's default is NO ACTION. */
  onUpdate: referentialAction.optional(),
});

/** A foreign key from one column: `{ table, schema?, column, name?, onDelete?, onUpdate? }`. */
export const columnReference = foreignKeyTarget.omit({ columns: true }).extend({
  /** The referenced column (a primary key or unique column). */
  column: identifier,
  /** The constraint's name; default `pgate_<table>_<column>_fkey`. */
  name: identifier.optional(),
});

/** A CHECK on one column: `{ name?, constraint }`. */
export const columnCheck = z.strictObject({
  /** The constraint's name; default `pgate_<table>_<column>_check`. */
  name: identifier.optional(),
  /** The condition as SQL (`price > 0`). */
  constraint: sqlText,
});

/** `REFERENCES ...` of a one-column foreign key. */
export const columnReferencesSql = (reference: z.output<typeof columnReference>): string => referencesSql({ ...reference, columns: [reference.column] });

/** The constraint kinds addConstraint adds (and dropConstraint can put back), by `type`. */
export const constraintShapes = {
  check: {
    type: z.literal('check'),
    /** The condition every row must meet, as SQL (`price > 0 AND price < list_price`). */
    check: sqlText,
  },
  unique: {
    type: z.literal('unique'),
    /** The columns whose values (together) may appear once; NULLs never collide. */
    columns: columnList,
  },
  foreignKey: {
    type: z.literal('foreignKey'),
    /** The referencing columns of this table. */
    columns: columnList,
    /** The table and columns they reference. */
    references: foreignKeyTarget,
  },
} as const;

/** The message for a missing or unknown `type`. */
export const TYPE_EXPECTED = { error: "expected type 'check', 'foreignKey' or 'unique'" };

/** A constraint definition without its table and name (dropConstraint's `definition`). */
export const constraintDefinition = z
  .discriminatedUnion('type', [z.strictObject(constraintShapes.check), z.strictObject(constraintShapes.unique), z.strictObject(constraintShapes.foreignKey)], TYPE_EXPECTED)
  .superRefine((definition, ctx) => checkForeignKeyArity(definition, ctx));

export type ConstraintDefinition = z.output<typeof constraintDefinition>;

/** A foreign key pairs its columns one to one with the referenced ones. */
export function checkForeignKeyArity(definition: ConstraintDefinition, ctx: z.RefinementCtx): void {
  if (definition.type === 'foreignKey' && definition.columns.length !== definition.references.columns.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['references', 'columns'],
      message: `names ${definition.references.columns.length} column(s) but columns names ${definition.columns.length}; they pair up one to one`,
    });
  }
}

export type ForeignKeyTarget = z.output<typeof foreignKeyTarget>;

/** `REFERENCES t (a, b) ON DELETE ...`: the part of a foreign key after its own columns. */
export function referencesSql(target: ForeignKeyTarget): string {
  const actions = [
    ...(target.onDelete === undefined ? [] : [` ON DELETE ${target.onDelete}`]),
    ...(target.onUpdate === undefined ? [] : [` ON UPDATE ${target.onUpdate}`]),
  ];
  return `REFERENCES ${tableSql({ schema: target.schema, table: target.table })} (${target.columns.map(ident).join(', ')})${actions.join('')}`;
}

/** The constraint as `ADD CONSTRAINT <name> <this>` takes it (validated; callers add NOT VALID where it fits). */
export function constraintSql(definition: ConstraintDefinition): string {
  switch (definition.type) {
    case 'check':
      return `CHECK (${pasted(definition.check)})`;
    case 'unique':
      return `UNIQUE (${definition.columns.map(ident).join(', ')})`;
    case 'foreignKey':
      return `FOREIGN KEY (${definition.columns.map(ident).join(', ')}) ${referencesSql(definition.references)}`;
  }
}

/** The author's SQL in a definition (a CHECK condition), for the parser; `field` is the definition's own path. */
export function constraintFragments(definition: ConstraintDefinition, field: string): OperationFragment[] {
  return definition.type === 'check' ? [{ field: `${field}check`, kind: 'condition', sql: definition.check }] : [];
}

/** The columns a definition names on its own table and, for a foreign key, on the referenced one. */
export function constraintRequires(definition: ConstraintDefinition, table: TableRef, field: string): RequiredName[] {
  if (definition.type === 'check') return [];
  const own = definition.columns.map((column, i) => ({ field: `${field}columns.${i}`, ...table, column }));
  if (definition.type === 'unique') return own;
  const target = definition.references;
  return [...own, ...target.columns.map((column, i) => ({ field: `${field}references.columns.${i}`, schema: target.schema, table: target.table, column }))];
}
