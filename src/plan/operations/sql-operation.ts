import { z } from 'zod';
import { PHASES } from '../phases.js';
import type { OperationOutput, PhaseOutput } from './output.js';

const statements = z.union([z.string().trim().min(1).transform((s) => [s]), z.array(z.string().trim().min(1, 'must not be empty')).min(1)]);
const phaseSql = z.union([statements.transform((sql) => ({ sql, down: undefined })), z.strictObject({ sql: statements, down: statements.optional() })]);

/**
 * `ops.sql({ expand, ..., drop })`: hand-written SQL, placed among the other
 * operations in the order given. Each phase is statements, or `{ sql, down }`.
 */
export const sqlOperationSchema = z
  .strictObject({
    expand: phaseSql.optional(),
    dualWrite: phaseSql.optional(),
    backfill: phaseSql.optional(),
    contract: phaseSql.optional(),
    drop: phaseSql.optional(),
  })
  .refine((p) => PHASES.some((phase) => p[phase] !== undefined), { error: 'names no phase (expected at least one of expand, dualWrite, backfill, contract, drop)' });

export function compileSqlOperation(params: z.output<typeof sqlOperationSchema>): OperationOutput {
  const phases: Partial<Record<(typeof PHASES)[number], PhaseOutput>> = {};
  for (const phase of PHASES) {
    const body = params[phase];
    if (body !== undefined) phases[phase] = { steps: body.sql.map((sql) => ({ sql })), ...(body.down === undefined ? {} : { down: body.down }) };
  }
  return { phases };
}
