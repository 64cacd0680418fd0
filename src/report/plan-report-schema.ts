import { z } from 'zod';
import { LOCK_DURATIONS, LOCK_LEVELS, RULE_IDS } from '../analysis/index.js';
import { PHASES } from '../plan/index.js';
import type { PlanReport } from './plan-report.js';

/*
 * The JSON report's schema, checked against the `PlanReport` type by the
 * annotation below. docs/plan-report.schema.json is generated from it
 * (`z.toJSONSchema`) and a test keeps the two equal, so the published
 * JSON Schema can never drift from what `migrate plan --format json` prints.
 */

const count = z.number().int().min(0);
const nullableCount = count.nullable();
const phase = z.enum(PHASES);
const lock = z.strictObject({
  relation: z.string(),
  level: z.enum(LOCK_LEVELS),
  blocks: z.enum(['nothing', 'ddl', 'writes', 'readsAndWrites']),
  held: z.enum(LOCK_DURATIONS),
});
const finding = z.strictObject({
  rule: z.enum(RULE_IDS),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  hint: z.string(),
  step: nullableCount,
  line: nullableCount,
});
const explain = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('plan'), text: z.string() }),
  z.strictObject({ kind: z.literal('unavailable'), reason: z.string() }),
]);
const timeouts = z.strictObject({ lockTimeoutMs: count, statementTimeoutMs: count });

const sqlStep = z.strictObject({
  kind: z.literal('sql'),
  index: count,
  sql: z.string(),
  transactional: z.boolean(),
  timeouts,
  lockAttempts: count,
  statements: z.array(
    z.strictObject({
      line: count,
      kind: z.string(),
      sql: z.string(),
      locks: z.array(lock),
      rewritesTable: z.boolean(),
      scansUnderStrongLock: z.boolean(),
      mustRunOutsideTransaction: z.boolean(),
    }),
  ),
  findings: z.array(finding),
});

const backfillStep = z.strictObject({
  kind: z.literal('backfill'),
  index: count,
  table: z.string(),
  set: z.string(),
  where: z.string().nullable(),
  batchSize: count,
  adaptive: z.boolean(),
  minBatchSize: count,
  maxBatchSize: count,
  targetBatchMs: count,
  statementTimeoutMs: count,
  throttles: z.array(z.string()),
  locks: z.array(lock),
  batchSql: z.string(),
  estimate: z.strictObject({
    rows: nullableCount,
    rowsDone: nullableCount,
    batches: nullableCount,
    ratePerSecond: nullableCount,
    rateSource: z.enum(['recorded', 'database', 'none']),
    durationMs: nullableCount,
  }),
  explain,
});

const verifyStep = z.strictObject({ kind: z.literal('verify'), index: count, query: z.string(), statementTimeoutMs: count, explain });

const unit = z.strictObject({
  order: count,
  migrationId: z.string(),
  description: z.string().nullable(),
  file: z.string(),
  phase,
  state: z.enum(['pending', 'running', 'done', 'failed', 'rolledBack', 'unknown']),
  gate: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('none') }),
    z.strictObject({ kind: z.literal('gate'), text: z.string(), status: z.enum(['holds', 'waiting', 'unknown']), missing: z.string().nullable() }),
  ]),
  rollback: z.strictObject({ possible: z.boolean(), note: z.string(), down: z.array(z.string()) }),
  steps: z.array(z.discriminatedUnion('kind', [sqlStep, backfillStep, verifyStep])),
  findings: z.array(finding),
  worstLock: lock.nullable(),
});

const relation = z.strictObject({
  name: z.string(),
  exists: z.boolean().nullable(),
  totalBytes: nullableCount,
  tableBytes: nullableCount,
  indexBytes: nullableCount,
  rowEstimate: nullableCount,
  indexes: z.array(z.strictObject({ name: z.string(), bytes: count })),
  lockedBy: z.array(z.string()),
});

/** The plan report's JSON, version 1. */
export const planReportSchema: z.ZodType<PlanReport> = z
  .strictObject({
    schemaVersion: z.literal(2),
    generatedAt: z.iso.datetime(),
    selection: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('pending') }),
      z.strictObject({ kind: z.literal('all') }),
      z.strictObject({ kind: z.literal('migrations'), ids: z.array(z.string()) }),
    ]),
    database: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('online'), serverVersion: z.string(), pgVersion: count, stateInstalled: z.boolean() }),
      z.strictObject({ kind: z.literal('offline'), reason: z.string(), pgVersion: count, unknown: z.array(z.string()) }),
    ]),
    units: z.array(unit),
    relations: z.array(relation),
    summary: z.strictObject({
      units: count,
      steps: count,
      errors: count,
      warnings: count,
      worstLock: lock.extend({ migrationId: z.string(), phase, step: count }).nullable(),
      biggestTable: z.strictObject({ name: z.string(), totalBytes: count, rowEstimate: nullableCount }).nullable(),
      rewrites: count,
      scansUnderStrongLock: count,
      gatesWaiting: count,
      irreversibleUnits: count,
      backfillEstimateMs: nullableCount,
    }),
  })
  .meta({
    $id: 'https://github.com/phasegate/phasegate/docs/plan-report.schema.json',
    title: 'phasegate plan report',
    description: 'The output of `migrate plan --format json`, schema version 1 (docs/plan-json-schema.md).',
  });

/** The JSON Schema (draft 2020-12) of the plan report. */
export function planReportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(planReportSchema, { target: 'draft-2020-12' });
}
