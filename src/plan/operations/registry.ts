import type { z } from 'zod';
import type { OperationOutput } from './output.js';
import { alterColumnSchema, compileAlterColumn } from './alter-column.js';
import { compileSqlOperation, sqlOperationSchema } from './sql-operation.js';

/** One kind of operation: how its parameters are checked, and what they compile to (pure, no database). */
interface OperationKind<S extends z.ZodType> {
  readonly schema: S;
  readonly compile: (params: z.output<S>) => OperationOutput;
}

const kind = <S extends z.ZodType>(schema: S, compile: (params: z.output<S>) => OperationOutput): OperationKind<S> => ({ schema, compile });

/** Every operation by the name authors call it with (`ops.<name>(...)`). */
export const OPERATIONS = {
  sql: kind(sqlOperationSchema, compileSqlOperation),
  alterColumn: kind(alterColumnSchema, compileAlterColumn),
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
