import { z } from 'zod';
import type { OperationOutput } from './output.js';
import { identifier } from './params.js';
import { literal, tableSql } from './sql.js';

/** An enum label: PostgreSQL stores at most 63 bytes. */
const label = identifier;

/**
 * `ops.addEnumValue({ type, value, before? | after? })`: a new label of an
 * enum type, in expand. PostgreSQL cannot remove a label, so the phase has
 * no down and rollback refuses it.
 */
export const addEnumValueSchema = z
  .strictObject({
    /** The enum type (exact name). */
    type: identifier,
    /** Its schema; without it the search_path finds the type. */
    schema: identifier.optional(),
    /** The label to add (exact). */
    value: label,
    /** An existing label to sort the new one before. */
    before: label.optional(),
    /** An existing label to sort the new one after (default: after the last one). */
    after: label.optional(),
  })
  .refine((p) => p.before === undefined || p.after === undefined, { path: ['after'], error: 'cannot be given with before: the label goes before one label or after one' });

export type AddEnumValueParams = z.output<typeof addEnumValueSchema>;

/*
 * Outside a transaction: a label added in a transaction cannot be used until
 * it commits, and before PostgreSQL 12 ADD VALUE refuses to run in one.
 * IF NOT EXISTS makes a retry harmless.
 */
export function compileAddEnumValue(p: AddEnumValueParams): OperationOutput {
  const position = p.before !== undefined ? ` BEFORE ${literal(p.before)}` : p.after !== undefined ? ` AFTER ${literal(p.after)}` : '';
  const type = tableSql({ schema: p.schema, table: p.type });
  return { phases: { expand: { steps: [{ sql: `ALTER TYPE ${type} ADD VALUE IF NOT EXISTS ${literal(p.value)}${position}`, transaction: false }] } } };
}
