import { describe, expect, it } from 'vitest';
import { resolveBackfillSettings } from '../../src/backfill/settings.js';
import { checkHealth } from '../../src/backfill/throttle.js';
import { useTestDatabase } from '../support/database.js';

const db = useTestDatabase();
const defaults = { batchSize: 1000, tuning: {}, statementTimeoutMs: 60_000, lockTimeoutMs: 5_000 };

describe('checkHealth', () => {
  it('checks replication lag and long transactions through one statement the session prepares once', async () => {
    const session = await db.connect();
    const holder = await db.connect();
    const settings = resolveBackfillSettings({ table: 't', set: 'a = 1', maxTransactionAge: 50 }, defaults);
    expect(await checkHealth(session, settings)).toBeUndefined();
    await holder.query('BEGIN; SELECT 1');
    await new Promise((r) => setTimeout(r, 100));
    expect(await checkHealth(session, settings)).toMatchObject({ kind: 'longTransaction', limitMs: 50 });
    await holder.query('ROLLBACK');
    expect(await checkHealth(session, settings)).toBeUndefined();
    const { rows } = await session.query<{ name: string }>('SELECT name FROM pg_prepared_statements');
    expect(rows).toEqual([{ name: 'phasegate_health_check' }]);
  });
});
