import semver from 'semver';
import { z } from 'zod';
import { formatDuration, MAX_TIMEOUT_MS, parseDuration } from './duration.js';
import { operationSchema } from './operations/operation-schema.js';

/*
 * The zod schemas here are the single source of the authoring types (their
 * input) and of the normalised model (their output). Every object is strict:
 * an unknown key is a mistake, not something to ignore.
 */

const nonEmpty = z.string().trim().min(1, 'must not be empty');

/**
 * A duration in milliseconds ("5s" or 5000) that PostgreSQL can take as a
 * timeout: above 0 (0 turns a timeout off) and at most MAX_TIMEOUT_MS.
 */
export const timeoutMs = z.union([z.number().int(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (expected e.g. "500ms", "5s", "30m", "24h")` });
    return z.NEVER;
  }
  if (ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} must be longer than 0 (PostgreSQL reads 0 as "no timeout")` });
    return z.NEVER;
  }
  if (ms > MAX_TIMEOUT_MS) {
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(value)} is longer than PostgreSQL accepts for a timeout (${MAX_TIMEOUT_MS}ms, about ${formatDuration(MAX_TIMEOUT_MS)})`,
    });
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
  lockTimeout: timeoutMs.optional(),
  /** Overrides the config's statement timeout for this statement. */
  statementTimeout: timeoutMs.optional(),
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

/** A duration limit, or false to turn that throttle off. */
const limitMs = z.union([timeoutMs, z.literal(false)]);

/**
 * How a backfill paces itself: the same keys in the config file's `backfill`
 * (defaults for every backfill) and in each backfill spec (which wins).
 * Defaults live with the engine (`DEFAULT_BACKFILL_TUNING` in backfill/).
 */
export const backfillTuningSchema = z.strictObject({
  /** Batch size adapts so one batch takes about this long. @default "100ms" */
  targetBatchDuration: timeoutMs.optional(),
  /** Adaptive sizing never goes below this many rows. @default 10 */
  minBatchSize: z.number().int().positive().optional(),
  /** Adaptive sizing never goes above this many rows. @default 100000 */
  maxBatchSize: z.number().int().positive().optional(),
  /** Upper bound on rows walked per second; no limit when absent. */
  maxRowsPerSecond: z.number().positive().optional(),
  /** Sleep after each batch for this fraction of its duration (0.5: batch 100 ms, sleep 50 ms). @default 0 */
  sleepFraction: z.number().min(0).max(100).optional(),
  /** Wait while a standby's replay lag (pg_stat_replication) exceeds this. @default "10s" */
  maxReplicationLag: limitMs.optional(),
  /** Wait while a transaction in this database is older than this: it holds back vacuum. @default "1h" */
  maxTransactionAge: limitMs.optional(),
  /** A query returning one boolean, true when the database is healthy enough to go on. */
  healthQuery: nonEmpty.optional(),
  /** How often health is checked, and how often a throttled or paused backfill looks again. @default "1s" */
  throttleCheckInterval: timeoutMs.optional(),
  /** statement_timeout of one batch. @default config timeouts.statementTimeout */
  statementTimeout: timeoutMs.optional(),
  /** Failed attempts in a row (each timed-out batch is halved) before the backfill fails. @default 8 */
  maxBatchFailures: z.number().int().min(1).max(100).optional(),
  /** Passes over the table while verification still counts rows. @default 3 */
  verifyPasses: z.number().int().min(1).max(100).optional(),
});

/**
 * Adaptive sizing keeps each batch between the two bounds; with the minimum
 * above the maximum there is no size it could pick. Used by the config
 * file's `backfill` section and by every backfill spec.
 */
export function checkBatchBounds(tuning: Pick<BackfillTuning, 'minBatchSize' | 'maxBatchSize'>, ctx: z.RefinementCtx): void {
  const { minBatchSize, maxBatchSize } = tuning;
  if (minBatchSize !== undefined && maxBatchSize !== undefined && minBatchSize > maxBatchSize) {
    ctx.addIssue({ code: 'custom', path: ['minBatchSize'], message: `must not be above maxBatchSize (${maxBatchSize}), but is ${minBatchSize}` });
  }
}

export const backfillSpecSchema = z.strictObject({
  /** The table to backfill, optionally schema-qualified ("public.users"). */
  table: nonEmpty,
  /** The SET list of the batch UPDATE, e.g. "email_address = email". */
  set: nonEmpty,
  /** Which rows still need it, e.g. "email_address IS NULL". */
  where: nonEmpty.optional(),
  /** A fixed number of rows per batch: turns adaptive sizing off. @default adaptive, starting at config backfill.batchSize */
  batchSize: z.number().int().positive().optional(),
  ...backfillTuningSchema.shape,
}).superRefine(checkBatchBounds);

const plainPhaseSchema = z.strictObject(phaseShape);
const backfillPhaseSchema = z.strictObject({ ...phaseShape, backfill: backfillSpecSchema.optional() });

/** Gates of phases the operations generate, by phase. */
const gatesSchema = z.strictObject({
  expand: gateSchema.optional(),
  dualWrite: gateSchema.optional(),
  backfill: gateSchema.optional(),
  contract: gateSchema.optional(),
  drop: gateSchema.optional(),
});

export const migrationDefinitionSchema = z
  .strictObject({
    description: z.string().optional(),
    /** Schema changes as data (`ops.alterColumn(...)`), compiled into the phases in the order listed. */
    operations: z.array(operationSchema).optional(),
    gates: gatesSchema.optional(),
    expand: plainPhaseSchema.optional(),
    dualWrite: plainPhaseSchema.optional(),
    backfill: backfillPhaseSchema.optional(),
    contract: plainPhaseSchema.optional(),
    drop: plainPhaseSchema.optional(),
  })
  .superRefine((def, ctx) => {
    const phases = ['expand', 'dualWrite', 'backfill', 'contract', 'drop'] as const;
    if (phases.every((p) => def[p] === undefined) && (def.operations ?? []).length === 0) {
      ctx.addIssue({ code: 'custom', message: 'declares no phase and no operation (expected at least one of expand, dualWrite, backfill, contract, drop or operations)' });
    }
    for (const phase of phases) {
      const body = def[phase];
      if (body?.sql !== undefined && body.steps !== undefined) {
        ctx.addIssue({ code: 'custom', path: [phase, 'steps'], message: 'use either sql or steps, not both' });
      }
    }
    if (def.drop !== undefined && def.drop.gate === undefined && def.gates?.drop === undefined) {
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

/** Backfill pacing settings, every one optional (the config's or a spec's). */
export type BackfillTuning = z.output<typeof backfillTuningSchema>;
