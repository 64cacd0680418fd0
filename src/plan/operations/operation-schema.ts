import { z } from 'zod';
import { OPERATIONS, type OperationInput, type OperationName, type ParsedOperation } from './registry.js';

const NAMES = Object.keys(OPERATIONS) as OperationName[];
const EXPECTED = `expected an operation: ${NAMES.map((n) => `ops.${n}(...)`).join(', ')}`;

/*
 * Chosen by its `op` key, like gates by theirs, so a wrong parameter is
 * reported at its own field rather than as "no operation matched".
 */
export const operationSchema: z.ZodType<ParsedOperation, OperationInput> = z.record(z.string(), z.unknown(), { error: EXPECTED }).transform(
  (input, ctx): ParsedOperation => {
    const { op, ...params } = input;
    if (typeof op !== 'string' || !NAMES.includes(op as OperationName)) {
      ctx.addIssue({ code: 'custom', path: ['op'], message: `${JSON.stringify(op)} is not an operation (${EXPECTED})` });
      return z.NEVER;
    }
    const result = OPERATIONS[op as OperationName].schema.safeParse(params);
    if (result.success) return { op, params: result.data } as ParsedOperation;
    for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    return z.NEVER;
  },
) as unknown as z.ZodType<ParsedOperation, OperationInput>; // the record's input is wider than OperationInput; each kind's schema checks the shape
