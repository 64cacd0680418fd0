export { runBackfill, type BackfillOptions, type BackfillOutcome, type BackfillProgress } from './run-backfill.js';
