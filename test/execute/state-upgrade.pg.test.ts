import { describe, expect, it } from 'vitest';
import { advance } from '../../src/execute/index.js';
import { buildMigration, legacyFingerprintUnit, type Migration } from '../../src/plan/index.js';
import { STATE_SCHEMA_VERSION } from '../../src/state/index.js';
import { useTestDatabase } from '../support/database.js';
import { testPolicy } from '../support/policy.js';

const db = useTestDatabase();
const m = (def: object): Migration => buildMigration('1_a', 'migrations/1_a.ts', def);
const run = (schema: string, migration: Migration) => advance({ db: db.client, schema, migrations: [migration], policy: testPolicy });

/** Turns an installed state schema back into what version 2 wrote: whole-definition hashes, no parse-tree hashes, no runner table. */
async function downgradeToVersion2(schema: string, migration: Migration): Promise<void> {
  const legacy = Object.fromEntries(migration.units.map((u) => [u.phase, legacyFingerprintUnit(u)]));
  await db.client.query(`ALTER TABLE ${schema}.migrations DROP COLUMN normalized_fingerprints`);
  await db.client.query(`DROP TABLE ${schema}.runner`);
  await db.client.query(`UPDATE ${schema}.migrations SET fingerprints = $1`, [JSON.stringify(legacy)]);
  await db.client.query(`UPDATE ${schema}.schema_version SET version = 2`);
}

describe('a state schema written by the previous version', () => {
  it('is upgraded in place: unchanged migrations pass, whitespace edits pass once restamped, real edits are refused', async () => {
    const schema = 'upgraded';
    await db.client.query('CREATE TABLE up (id int)');
    const def = { expand: { steps: [{ sql: 'ALTER TABLE up ADD COLUMN a int', lockTimeout: '2s' }] }, contract: { sql: 'SELECT 1', gate: { marker: 'm' } } };
    await run(schema, m(def));
    await downgradeToVersion2(schema, m(def));

    await expect(run(schema, m(def))).resolves.toMatchObject({ ran: [], stoppedAt: { phase: 'contract', reason: 'gate' } });
    const { rows } = await db.client.query<{ version: number; normalized: object | null }>(
      `SELECT (SELECT version FROM ${schema}.schema_version) AS version, normalized_fingerprints AS normalized FROM ${schema}.migrations`,
    );
    expect(rows[0]).toMatchObject({ version: STATE_SCHEMA_VERSION, normalized: { expand: expect.any(String), contract: expect.any(String) } });

    const reformatted = { ...def, expand: { steps: [{ sql: 'ALTER TABLE up\n  ADD COLUMN a int -- the new column', lockTimeout: '10s' }] } };
    await expect(run(schema, m(reformatted))).resolves.toMatchObject({ stoppedAt: { reason: 'gate' } });
    await expect(run(schema, m({ ...def, expand: { steps: [{ sql: 'ALTER TABLE up ADD COLUMN a bigint', lockTimeout: '2s' }] } }))).rejects.toMatchObject({
      code: 'FINGERPRINT_MISMATCH',
      message: 'migrations/1_a.ts: changed after it started (phases: expand)',
    });
  });
});
