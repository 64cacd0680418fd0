import semver from 'semver';
import { z } from 'zod';
import { parseDuration } from './duration.js';

/*
 * The zod schemas here are the single source of the authoring types (their
 * input) and of the normalised model (their output). Every object is strict:
 * an unknown key is a mistake, not something to ignore.
 */

const nonEmpty = z.string().trim().min(1, 'must not be empty');

const durationMs = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : parseDuration(value);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (expected e.g. "500ms", "5s", "30m", "24h")` });
    return z.NEVER;
  }
  return ms;
});

const semverRange = z.string().refine((range) => semver.validRange(range) !== null, {
  error: (issue) => `${JSON.stringify(issue.input)} is not a valid semver range`,
});

/** A gate as the engine sees it: a discriminated union on `kind`. */
export type Gate =
  | { readonly kind: 'marker'; readonly name: string }
  | { readonly kind: 'appVersion'; readonly app: string; readonly range: string }
  | { readonly kind: 'soak'; readonly ms: number; readonly text: string }
  | { readonly kind: 'approval' }
  | { readonly kind: 'all'; readonly gates: readonly Gate[] };

/** A gate as a migration author writes it. */
export type GateInput =
  | { readonly marker: string }
  | { readonly app: string; readonly version: string }
  | { readonly soak: string }
  | { readonly approval: true }
  | { readonly all: readonly GateInput[] };

const GATE_EXPECTED = 'expected a gate: { marker }, { app, version }, { soak }, { approval: true } or { all: [...] }';

/*
 * Gates have no `kind` key for authors to type, so the branch is chosen by
 * the key that names it. A plain z.union would report a bad semver range as
 * "no gate matched" instead of naming the field.
 */
const gateBranches = {
  marker: z.strictObject({ marker: nonEmpty }).transform((g): Gate => ({ kind: 'marker', name: g.marker })),
  app: z
    .strictObject({ app: nonEmpty, version: semverRange })
    .transform((g): Gate => ({ kind: 'appVersion', app: g.app, range: g.version })),
  soak: z.strictObject({ soak: z.string() }).transform((g, ctx): Gate => {
    const ms = parseDuration(g.soak);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', path: ['soak'], message: `"${g.soak}" is not a duration (expected e.g. "30m", "24h")` });
      return z.NEVER;
    }
    return { kind: 'soak', ms, text: g.soak };
  }),
  approval: z.strictObject({ approval: z.literal(true) }).transform((): Gate => ({ kind: 'approval' })),
  all: z
    .strictObject({ all: z.array(z.lazy(() => gateSchema)).min(1, 'must list at least one gate') })
    .transform((g): Gate => ({ kind: 'all', gates: g.all })),
} as const;

const gateKeys = Object.keys(gateBranches) as (keyof typeof gateBranches)[];

export const gateSchema: z.ZodType<Gate, GateInput> = z.record(z.string(), z.unknown(), { error: GATE_EXPECTED }).transform(
  (input, ctx): Gate => {
    const key = gateKeys.find((k) => k in input);
    if (key === undefined) {
      ctx.addIssue({ code: 'custom', message: GATE_EXPECTED });
      return z.NEVER;
    }
    const result = gateBranches[key].safeParse(input);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    return z.NEVER;
  },
) as unknown as z.ZodType<Gate, GateInput>; // the record's input type is wider than GateInput; the branches check the shape

const stepInputSchema = z.strictObject({
  sql: nonEmpty,
  /** Overrides the config's lock timeout for this statement ("5s" or ms). */
  lockTimeout: durationMs.optional(),
  /** Overrides the config's statement timeout for this statement. */
  statementTimeout: durationMs.optional(),
  /** false for statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY). @default true */
  transaction: z.boolean().optional(),
});

const sqlList = z.union([nonEmpty.transform((s) => [s]), z.array(nonEmpty).min(1, 'must list at least one statement')]);

const phaseShape = {
  sql: sqlList.optional(),
  steps: z.array(stepInputSchema).min(1, 'must list at least one step').optional(),
  down: sqlList.optional(),
  gate: gateSchema.optional(),
  verify: nonEmpty.optional(),
};

export const backfillSpecSchema = z.strictObject({
  /** The table to backfill, optionally schema-qualified ("public.users"). */
  table: nonEmpty,
  /** The SET list of the batch UPDATE, e.g. "email_address = email". */
  set: nonEmpty,
  /** Which rows still need it, e.g. "email_address IS NULL". */
  where: nonEmpty.optional(),
  /** Rows per batch. @default config backfill.batchSize */
  batchSize: z.number().int().positive().optional(),
});

const plainPhaseSchema = z.strictObject(phaseShape);
const backfillPhaseSchema = z.strictObject({ ...phaseShape, backfill: backfillSpecSchema.optional() });

export const migrationDefinitionSchema = z
  .strictObject({
    description: z.string().optional(),
    expand: plainPhaseSchema.optional(),
    dualWrite: plainPhaseSchema.optional(),
    backfill: backfillPhaseSchema.optional(),
    contract: plainPhaseSchema.optional(),
    drop: plainPhaseSchema.optional(),
  })
  .superRefine((def, ctx) => {
    const phases = ['expand', 'dualWrite', 'backfill', 'contract', 'drop'] as const;
    if (phases.every((p) => def[p] === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'declares no phase (expected at least one of expand, dualWrite, backfill, contract, drop)' });
    }
    for (const phase of phases) {
      const body = def[phase];
      if (body?.sql !== undefined && body.steps !== undefined) {
        ctx.addIssue({ code: 'custom', path: [phase, 'steps'], message: 'use either sql or steps, not both' });
      }
    }
    if (def.drop !== undefined && def.drop.gate === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['drop', 'gate'],
        message: 'is required: a drop phase must wait on a marker, an app version, a soak time or an approval',
      });
    }
  });

/** What a migration file's default export looks like to its author. */
export type MigrationDefinition = z.input<typeof migrationDefinitionSchema>;

/** The validated definition, before it is turned into units. */
export type ParsedDefinition = z.output<typeof migrationDefinitionSchema>;

export type BackfillSpec = z.output<typeof backfillSpecSchema>;
