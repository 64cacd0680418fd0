import { describe, expect, it } from 'vitest';
import { denseKeys, valueRangeEnd, valueSpan } from '../../src/backfill/batch-sql.js';

describe('batches as ranges of key values', () => {
  it.each([
    ['a full range', '1000', 500, '5000', '1500'],
    ['a range cut at the pass end', '4800', 500, '5000', '5000'],
    ['negative keys', '-300', 200, '10', '-100'],
    ['bigint keys beyond a double, exactly', '9223372036854770001', 5000, '9223372036854775807', '9223372036854775001'],
    ['no range once the pass end is reached', '5000', 500, '5000', undefined],
    ['no range past the pass end', '5001', 500, '5000', undefined],
  ])('%s', (_, lower, size, upper, end) => {
    expect(valueRangeEnd(lower, size, upper)).toBe(end);
  });

  it('never spans more values than the batch size, so a range never holds more rows than a walked batch', () => {
    expect(valueSpan('9223372036854770001', valueRangeEnd('9223372036854770001', 5000, '9223372036854775807') ?? '')).toBe(5000);
    expect(valueSpan('-300', '-100')).toBe(200);
  });

  it('keeps to ranges of values while they hold at least half as many rows as values', () => {
    expect(denseKeys(500, 500)).toBe(true);
    expect(denseKeys(250, 500)).toBe(true);
    expect(denseKeys(249, 500)).toBe(false);
    expect(denseKeys(0, 500)).toBe(false);
    expect(denseKeys(500, 1_000_000_000_000)).toBe(false);
  });
});
