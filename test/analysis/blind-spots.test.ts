import { describe, expect, it } from 'vitest';
import { analyzeSqlFile, type Finding } from '../../src/analysis/index.js';
import { type BlindSpotCase, SAFE, UNSAFE } from './blind-spot-cases.js';
import { findingsOf } from './helpers.js';

async function findings({ sql, opts = {} }: BlindSpotCase): Promise<readonly Finding[]> {
  if (opts.file !== true) return findingsOf(sql, opts);
  return (await analyzeSqlFile(sql, { phase: opts.phase ?? 'expand', pgVersion: opts.pgVersion ?? 16 })).findings;
}

describe('issue 10 blind spots', () => {
  it.each(UNSAFE.map((c) => [c.item, c.rule, c.sql.replace(/\s+/g, ' '), c] as const))('item %s: %s fires for %s', async (_item, rule, _sql, c) => {
    expect((await findings(c)).map((f) => f.rule)).toContain(rule);
  });

  it.each(SAFE.map((c) => [c.item, c.rule, c.sql.replace(/\s+/g, ' '), c] as const))('item %s: %s stays silent for %s', async (_item, rule, _sql, c) => {
    expect((await findings(c)).map((f) => f.rule)).not.toContain(rule);
  });
});
