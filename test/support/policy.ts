import type { ExecutionPolicy } from '../../src/execute/index.js';

/** Short timeouts so lock tests finish quickly; no jitter, for repeatable timing. */
export const testPolicy: ExecutionPolicy = {
  timeouts: { lockTimeoutMs: 500, statementTimeoutMs: 10_000 },
  nonTransactionalTimeouts: { lockTimeoutMs: 5_000, statementTimeoutMs: 60_000 },
  lockRetries: 3,
  preflight: { maxTransactionAgeMs: 60_000, waitMs: 1_000 },
  planCheck: { seqScanBytes: 100 * 1024 * 1024 },
  backfillBatchSize: 100,
  random: () => 0.5,
};
