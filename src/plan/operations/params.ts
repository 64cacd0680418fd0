import { z } from 'zod';
import { MAX_NAME_BYTES } from './names.js';

/** An exact PostgreSQL identifier: never folded, quoted wherever it is used. */
export const identifier = z
  .string()
  .min(1, 'must not be empty')
  .refine((name) => Buffer.byteLength(name) <= MAX_NAME_BYTES, { error: `must fit in ${MAX_NAME_BYTES} bytes (PostgreSQL cuts longer names)` })
  .refine((name) => !name.includes('\0'), { error: 'must not contain a NUL character' });

/** SQL text written by the author (an expression, a type): checked by the parser before anything runs. */
export const sqlText = z.string().trim().min(1, 'must not be empty');

/** `{ table, schema? }`: the schema is optional; without it the search_path finds the table. */
export const tableShape = { table: identifier, schema: identifier.optional() };
