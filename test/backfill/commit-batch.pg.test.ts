import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { BackfillStore, ensureStateSchema, quoteIdent, type BatchCheckpoint } from '../../src/state/index.js';
import { useTestDatabase } from '../support/database.js';

const db = useTestDatabase();
let counter = 0;

/** A table of `rows` rows with n = 0, a state schema, and a backfill started over it. */
async function backfillOver(session: pg.Client, rows: number): Promise<{ table: string; schema: string; store: BackfillStore }> {
  const id = (counter += 1);
  const table = `batched_${id}`;
  const schema = `state_${id}`;
  await db.client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO ${table} (id) SELECT generate_series(1, ${rows})`);
  await ensureStateSchema(db.client, schema);
  const store = new BackfillStore(session, schema);
  await store.start('1_m', [String(rows)], rows, 10);
  return { table, schema, store };
}

const batch = (table: string, lower: number, upper: number) => ({ sql: `UPDATE ${table} SET n = n + 1 WHERE id <= $1::int AND id > $2::int`, params: [String(upper), String(lower)] });
const checkpoint = (lastKey: number): BatchCheckpoint => ({ lastKey: [String(lastKey)], rowsScanned: null, batchSize: 10, lastBatchMs: 5, rowsPerSecond: 2000 });

async function updated(table: string): Promise<number[]> {
  const { rows } = await db.client.query<{ n: number }>(`SELECT n FROM ${table} ORDER BY id`);
  return rows.map((r) => r.n);
}

/** A session as a role that may not create temporary objects in this database (TEMPORARY revoked from PUBLIC). */
async function sessionWithoutTemp(table: string, schema: string): Promise<{ session: pg.Client; drop: () => Promise<void> }> {
  const role = `no_temp_${randomBytes(4).toString('hex')}`;
  const { rows } = await db.client.query<{ name: string }>('SELECT current_database() AS name');
  const database = quoteIdent(rows[0]?.name ?? '');
  await db.client.query(`
    CREATE ROLE ${role};
    REVOKE TEMPORARY ON DATABASE ${database} FROM PUBLIC;
    GRANT USAGE ON SCHEMA ${schema} TO ${role};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role};
    GRANT SELECT, UPDATE ON ${table} TO ${role};`);
  const session = await db.connect();
  await session.query(`SET ROLE ${role}`);
  return {
    session,
    drop: async () => {
      await session.query('RESET ROLE');
      await db.client.query(`DROP OWNED BY ${role}; DROP ROLE ${role}; GRANT TEMPORARY ON DATABASE ${database} TO PUBLIC`);
    },
  };
}

describe('BackfillStore.commitBatch', () => {
  it('commits a batch with its checkpoint in one statement, through a function it makes at the first batch', async () => {
    const session = await db.connect();
    const { table, store } = await backfillOver(session, 30);
    expect(await store.commitBatch('1_m', { sql: `UPDATE ${table} SET n = n + 1 WHERE id <= $1::int`, params: ['10'] }, checkpoint(10))).toEqual({ rowsDone: 10, roundTrips: 2, paused: false });
    expect(await store.commitBatch('1_m', batch(table, 10, 20), checkpoint(20))).toEqual({ rowsDone: 10, roundTrips: 1, paused: false });
    expect(await store.commitBatch('1_m', batch(table, 20, 30), checkpoint(30))).toEqual({ rowsDone: 10, roundTrips: 1, paused: false });
    expect(await updated(table)).toEqual(Array(30).fill(1));
    expect(await store.record('1_m')).toMatchObject({ lastKey: ['30'], rowsDone: 30, rowsScanned: 30, batches: 3, batchSize: 10, lastBatchMs: 5, rowsPerSecond: 2000 });
  });

  it('sends a batch on a hostile table name and a set holding quotes, a backslash and a parameter-like $1 as written', async () => {
    const session = await db.connect();
    const { store } = await backfillOver(session, 1);
    const table = quoteIdent(`O'Brien \\ "x"\n$1`);
    await db.client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, note text); INSERT INTO ${table} (id) SELECT generate_series(1, 4)`);
    const update = { sql: `UPDATE ${table} SET note = E'it''s $1 \\\\ done' WHERE id <= $1::int`, params: ['4'] };
    expect(await store.commitBatch('1_m', update, checkpoint(4))).toMatchObject({ rowsDone: 4 });
    const { rows } = await db.client.query<{ note: string }>(`SELECT DISTINCT note FROM ${table}`);
    expect(rows).toEqual([{ note: "it's $1 \\ done" }]);
  });

  it('rolls the batch back when its backfill record is gone, as one statement and as a transaction', async () => {
    const session = await db.connect();
    const { table, schema, store } = await backfillOver(session, 20);
    await db.client.query(`DELETE FROM ${schema}.backfills`);
    await expect(store.commitBatch('1_m', batch(table, 0, 10), checkpoint(10))).rejects.toThrow('the backfill record of 1_m vanished while its batch ran; the batch rolled back');
    expect(await updated(table)).toEqual(Array(20).fill(0));

    const { session: limited, drop } = await sessionWithoutTemp(table, schema);
    try {
      const transactions = new BackfillStore(limited, schema);
      await expect(transactions.commitBatch('1_m', batch(table, 0, 10), checkpoint(10))).rejects.toThrow('vanished while its batch ran; the batch rolled back');
      expect(await updated(table)).toEqual(Array(20).fill(0));
    } finally {
      await drop();
    }
  });

  it('commits each batch as a transaction where the server refuses the session a function of its own (no TEMPORARY privilege)', async () => {
    const { table, schema, store: owner } = await backfillOver(db.client, 30);
    await owner.commitBatch('1_m', batch(table, 0, 10), checkpoint(10));
    const { session, drop } = await sessionWithoutTemp(table, schema);
    try {
      const store = new BackfillStore(session, schema);
      expect(await store.commitBatch('1_m', batch(table, 10, 20), checkpoint(20))).toEqual({ rowsDone: 10, roundTrips: 4, paused: false });
      await db.client.query(`INSERT INTO ${schema}.backfill_controls (migration_id, paused, changed_by) VALUES ('1_m', true, 'alice')`);
      expect(await store.commitBatch('1_m', batch(table, 20, 30), checkpoint(30))).toEqual({ rowsDone: 10, roundTrips: 4, paused: true });
    } finally {
      await drop();
    }
    expect(await updated(table)).toEqual(Array(30).fill(1));
    expect(await owner.record('1_m')).toMatchObject({ lastKey: ['30'], rowsDone: 30, batches: 3 });
  });
});
