import { describe, expect, it } from 'vitest';
import { nextBatchSize } from '../../src/backfill/adaptive-size.js';
import { resolveBackfillSettings } from '../../src/backfill/settings.js';
import { describeThrottle, pacingDelayMs } from '../../src/backfill/throttle.js';

const bounds = { minBatchSize: 10, maxBatchSize: 10_000, targetBatchMs: 100 };
const defaults = { batchSize: 1000, tuning: {}, statementTimeoutMs: 60_000, lockTimeoutMs: 5_000 };

describe('nextBatchSize', () => {
  it.each([
    ['doubles at most when a full batch was far under target', 1000, 1000, 10, 2000],
    ['halves at most when a batch was far over target', 1000, 1000, 1000, 500],
    ['moves to the target in between', 1000, 1000, 125, 800],
    ['stays put near the target', 1000, 1000, 105, 1000],
    ['does not grow after a short batch at the end of the range', 1000, 300, 5, 1000],
    ['never goes above the maximum', 8000, 8000, 10, 10_000],
    ['never goes below the minimum', 12, 12, 1000, 10],
  ])('%s', (_, current, rows, ms, expected) => {
    expect(nextBatchSize(current, rows, ms, bounds)).toBe(expected);
  });
});

describe('resolveBackfillSettings', () => {
  it('lets a spec beat the config, which beats the defaults', () => {
    const settings = resolveBackfillSettings(
      { table: 't', set: 'a = 1', targetBatchDuration: 50 },
      { ...defaults, tuning: { targetBatchDuration: 200, maxRowsPerSecond: 500, maxReplicationLag: false } },
    );
    expect(settings).toMatchObject({ targetBatchMs: 50, maxRowsPerSecond: 500, maxReplicationLagMs: undefined, maxTransactionAgeMs: 3_600_000, initialBatchSize: 1000 });
  });

  it('fixes the size when a spec sets batchSize', () => {
    expect(resolveBackfillSettings({ table: 't', set: 'a = 1', batchSize: 250 }, defaults)).toMatchObject({ initialBatchSize: 250, minBatchSize: 250, maxBatchSize: 250 });
  });
});

describe('pacing and throttle messages', () => {
  it('sleeps the larger of the sleep fraction and what the rate limit needs', () => {
    const settings = resolveBackfillSettings({ table: 't', set: 'a = 1', sleepFraction: 0.5, maxRowsPerSecond: 1000 }, defaults);
    expect(pacingDelayMs(settings, 100, 40)).toBe(60); // 100 rows at 1000/s: 100 ms per batch, 40 of them spent
    expect(pacingDelayMs(settings, 10, 40)).toBe(20); // the sleep fraction wins
  });

  it('says why a backfill waits', () => {
    expect(describeThrottle({ kind: 'replicationLag', standby: 'replica-1', lagMs: 12_500, limitMs: 10_000 })).toBe(
      'replication lag 12s on replica-1 exceeds 10s',
    );
    expect(describeThrottle({ kind: 'paused', by: 'alice' })).toContain('paused by alice');
  });
});
