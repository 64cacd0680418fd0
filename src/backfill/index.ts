export { batchUpdate, buildBatchSql, type BatchSql } from './batch-sql.js';
export { resolveBackfillSettings, type BackfillDefaults, type BackfillSettings } from './settings.js';
export { countRows } from './count-rows.js';
export { etaMs, throttledRate, type BackfillActivity, type BackfillProgress } from './progress.js';
export type { BatchErrorKind } from './run-batch.js';
export { runBackfill, type BackfillOptions, type BackfillOutcome } from './run-backfill.js';
export { describeThrottle, type Throttle } from './throttle.js';
