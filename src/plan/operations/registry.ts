import type { z } from 'zod';
import type { OperationOutput } from './output.js';
import { addColumnSchema, compileAddColumn } from './add-column.js';
import { addConstraintSchema, compileAddConstraint } from './add-constraint.js';
import { addEnumValueSchema, compileAddEnumValue } from './add-enum-value.js';
import { alterColumnSchema, compileAlterColumn } from './alter-column.js';
import { compileCreateIndex, createIndexSchema } from './create-index.js';
import { compileCreateTable, createTableSchema } from './create-table.js';
import { compileDropColumn, dropColumnSchema } from './drop-column.js';
import { compileDropConstraint, dropConstraintSchema } from './drop-constraint.js';
import { compileDropIndex, dropIndexSchema } from './drop-index.js';
import { compileDropTable, dropTableSchema } from './drop-table.js';
import { compileMoveColumns, moveColumnsSchema } from './move-columns.js';
import { compileRenameTable, renameTableSchema } from './rename-table.js';
import { compileSqlOperation, sqlOperationSchema } from './sql-operation.js';

/** One kind of operation: how its parameters are checked, and what they compile to (pure, no database). */
interface OperationKind<S extends z.ZodType> {
  readonly schema: S;
  readonly compile: (params: z.output<S>) => OperationOutput;
}

const kind = <S extends z.ZodType>(schema: S, compile: (params: z.output<S>) => OperationOutput): OperationKind<S> => ({ schema, compile });

/** Every operation by the name authors call it with (`ops.<name>(...)`). */
export const OPERATIONS = {
  alterColumn: kind(alterColumnSchema, compileAlterColumn),
  sql: kind(sqlOperationSchema, compileSqlOperation),
  addColumn: kind(addColumnSchema, compileAddColumn),
  dropColumn: kind(dropColumnSchema, compileDropColumn),
  addConstraint: kind(addConstraintSchema, compileAddConstraint),
  dropConstraint: kind(dropConstraintSchema, compileDropConstraint),
  createIndex: kind(createIndexSchema, compileCreateIndex),
  dropIndex: kind(dropIndexSchema, compileDropIndex),
  addEnumValue: kind(addEnumValueSchema, compileAddEnumValue),
  createTable: kind(createTableSchema, compileCreateTable),
  dropTable: kind(dropTableSchema, compileDropTable),
  renameTable: kind(renameTableSchema, compileRenameTable),
  moveColumns: kind(moveColumnsSchema, compileMoveColumns),
};

export type OperationName = keyof typeof OPERATIONS;

/** Each operation's parameters as an author writes them. */
export type OperationParams = { [K in OperationName]: z.input<(typeof OPERATIONS)[K]['schema']> };

/** An operation as a migration file lists it: what `ops.<name>(params)` returns. */
export type OperationInput = { [K in OperationName]: { readonly op: K } & OperationParams[K] }[OperationName];

/** An operation after its parameters were checked. */
export type ParsedOperation = { [K in OperationName]: { readonly op: K; readonly params: z.output<(typeof OPERATIONS)[K]['schema']> } }[OperationName];

export function compileOperation(operation: ParsedOperation): OperationOutput {
  // The union of kinds cannot be narrowed per key by the compiler; the schema keyed by the same name made `params`.
  const compile = OPERATIONS[operation.op].compile as (params: unknown) => OperationOutput;
  return compile(operation.params);
}
