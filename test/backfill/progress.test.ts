import { describe, expect, it } from 'vitest';
import { etaMs, throttledRate } from '../../src/backfill/index.js';

describe('backfill rate and ETA', () => {
  it('never shows a rate above maxRowsPerSecond, so the ETA is never shorter than the throttle allows', () => {
    const rate = throttledRate(12_000, 8_000);
    expect(rate).toBe(8_000);
    expect(etaMs(40_000, 0, rate)).toBe(5_000);
  });

  it('keeps the measured rate when there is no throttle or no measurement yet', () => {
    expect(throttledRate(12_000, undefined)).toBe(12_000);
    expect(throttledRate(null, 8_000)).toBeNull();
    expect(etaMs(40_000, 0, null)).toBeNull();
  });
});
