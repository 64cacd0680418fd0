import { z } from 'zod';
import type { OperationFragment, OperationOutput } from './output.js';
import { identifier, sqlText, tableShape } from './params.js';
import { ident, objectSql, pasted, tableSql } from './sql.js';

const columnList = z.array(identifier).min(1, 'must name at least one column');

/**
 * `ops.createIndex({ table, name, columns | expression, ... })`: an index
 * built without blocking writes, in expand.
 */
export const createIndexSchema = z
  .strictObject({
    ...tableShape,
    /** The index's name (exact); it lives in the table's schema. */
    name: identifier,
    /** The indexed columns, in order. */
    columns: columnList.optional(),
    /** An indexed expression as SQL (`lower(email)`), after `columns` when both are given. */
    expression: sqlText.optional(),
    /** true for a unique index. */
    unique: z.boolean().optional(),
    /** A partial index's condition as SQL (`deleted_at IS NULL`). */
    where: sqlText.optional(),
    /** The index access method. @default 'btree' */
    method: z.enum(['btree', 'hash', 'gist', 'spgist', 'gin', 'brin'], { error: "expected 'btree', 'hash', 'gist', 'spgist', 'gin' or 'brin'" }).optional(),
    /** Columns stored in the index but not searched (`INCLUDE`), for index-only scans. */
    include: columnList.optional(),
  })
  .refine((p) => p.columns !== undefined || p.expression !== undefined, { path: ['columns'], error: 'or expression is required: what does the index index?' });

export type CreateIndexParams = z.output<typeof createIndexSchema>;

/*
 * CONCURRENTLY, alone in a step outside a transaction, IF NOT EXISTS so a
 * retry after a crash finds it (the runner drops an INVALID leftover of a
 * failed build first). Rollback runs in a transaction, where CONCURRENTLY is
 * refused, so the down is a plain DROP INDEX (ACCESS EXCLUSIVE, briefly).
 */
export function compileCreateIndex(p: CreateIndexParams): OperationOutput {
  const ref = { schema: p.schema, table: p.table };
  const keys = [...(p.columns ?? []).map(ident), ...(p.expression === undefined ? [] : [`(${pasted(p.expression)})`])];
  const sql = [
    `CREATE ${p.unique === true ? 'UNIQUE ' : ''}INDEX CONCURRENTLY IF NOT EXISTS ${ident(p.name)} ON ${tableSql(ref)}`,
    p.method === undefined ? '' : ` USING ${p.method}`,
    ` (${keys.join(', ')})`,
    p.include === undefined ? '' : ` INCLUDE (${p.include.map(ident).join(', ')})`,
    p.where === undefined ? '' : ` WHERE ${pasted(p.where)}`,
  ].join('');
  const fragments: OperationFragment[] = [
    ...(p.expression === undefined ? [] : [{ field: 'expression', kind: 'expression' as const, sql: p.expression }]),
    ...(p.where === undefined ? [] : [{ field: 'where', kind: 'condition' as const, sql: p.where }]),
  ];
  const columns = [...(p.columns ?? []).map((column, i) => ({ field: `columns.${i}`, column })), ...(p.include ?? []).map((column, i) => ({ field: `include.${i}`, column }))];
  return {
    phases: { expand: { steps: [{ sql, transaction: false }], down: [`DROP INDEX IF EXISTS ${objectSql(ref, p.name)}`] } },
    fragments,
    requires: [{ field: 'table', ...ref }, ...columns.map((c) => ({ ...c, ...ref }))],
  };
}
