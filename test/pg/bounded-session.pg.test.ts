import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance } from '../../src/execute/index.js';
import { buildMigration } from '../../src/plan/index.js';
import { makeProject, migrationSource, runCli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';
import { testPolicy } from '../support/policy.js';

const db = useTestDatabase();
let counter = 0;
const next = (): string => `bound_${(counter += 1)}`;

/** A project whose config bounds lock waits at 300ms and gives up after one attempt. */
async function project(migrations: Record<string, string>, connection: object = {}): Promise<string> {
  const dir = await makeProject(migrations);
  const config = { timeouts: { lockTimeout: '300ms', statementTimeout: '5s' }, lockRetries: 1, connection };
  await writeFile(path.join(dir, 'phasegate.config.json'), JSON.stringify(config));
  return dir;
}

/** Another session holding `mode` on `table` in a transaction that just began (too young for preflight). */
async function hold(table: string, mode: string): Promise<pg.Client> {
  const holder = await db.connect();
  await holder.query('BEGIN');
  await holder.query(`LOCK TABLE ${table} IN ${mode} MODE`);
  return holder;
}

async function timed<T>(work: Promise<T>): Promise<T & { ms: number }> {
  const started = performance.now();
  const result = await work;
  return { ...result, ms: performance.now() - started };
}

/** While a young transaction holds ACCESS EXCLUSIVE on `table`, `advance` exits 1 at the lock timeout instead of waiting. */
async function expectAdvanceStopsAtLockTimeout(table: string, dir: string, env: Record<string, string>): Promise<void> {
  const holder = await hold(table, 'ACCESS EXCLUSIVE');
  try {
    const result = await timed(runCli(['advance'], { cwd: dir, env }));
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('lock timeout');
    expect(result.ms).toBeLessThan(20_000); // a hang is endless; start-up alone takes seconds on a busy machine
  } finally {
    await holder.query('ROLLBACK');
  }
}

describe('a young ACCESS EXCLUSIVE holder', () => {
  it('stops the EXPLAIN of a DML step at the lock timeout: advance exits 1 instead of waiting', async () => {
    const schema = next();
    await db.client.query('CREATE TABLE explained (id int PRIMARY KEY, n int); INSERT INTO explained VALUES (1, 0)');
    const dir = await project({ '1_dml.ts': migrationSource({ backfill: { sql: 'UPDATE explained SET n = 1 WHERE id = 1' } }) });
    await expectAdvanceStopsAtLockTimeout('explained', dir, { DATABASE_URL: db.url, PHASEGATE_SCHEMA: schema });
  });

  it("stops the backfill's upper-key read at the lock timeout: advance exits 1 instead of waiting", async () => {
    const schema = next();
    await db.client.query('CREATE TABLE keyed (id int PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO keyed (id) SELECT generate_series(1, 50)');
    const dir = await project({ '1_bf.ts': migrationSource({ backfill: { backfill: { table: 'keyed', set: 'n = 1' } } }) });
    await expectAdvanceStopsAtLockTimeout('keyed', dir, { DATABASE_URL: db.url, PHASEGATE_SCHEMA: schema });
    expect((await db.client.query('SELECT 1 FROM keyed WHERE n <> 0')).rowCount).toBe(0);
  });

  it('stops state-store reads and writes at the lock timeout: advance exits 1 instead of waiting', async () => {
    const schema = next();
    const dir = await project({ '1_a.ts': migrationSource({ expand: { sql: 'SELECT 1' } }) });
    const env = { DATABASE_URL: db.url, PHASEGATE_SCHEMA: schema };
    expect((await runCli(['advance'], { cwd: dir, env })).code).toBe(0);
    await writeFile(path.join(dir, 'migrations', '2_b.ts'), migrationSource({ expand: { sql: 'SELECT 2' } }));
    await expectAdvanceStopsAtLockTimeout(`${schema}.units`, dir, env);
  });
});

describe('the session after phasegate', () => {
  it('has the lock and statement timeouts it had before a transaction: false step', async () => {
    await db.client.query('CREATE TABLE indexed (id int, v int)');
    const client = await db.connect();
    await client.query(`SET lock_timeout = '4321ms'; SET statement_timeout = '54s'`);
    const migration = buildMigration('1_cic', 'migrations/1_cic.ts', {
      expand: { steps: [{ sql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS indexed_v ON indexed (v)', transaction: false }] },
    });
    const result = await advance({ db: client, schema: next(), migrations: [migration], policy: testPolicy });
    expect(result.stoppedAt).toBeNull();
    const { rows } = await client.query<{ lock: string; statement: string }>(
      `SELECT current_setting('lock_timeout') AS lock, current_setting('statement_timeout') AS statement`,
    );
    expect(rows[0]).toEqual({ lock: '4321ms', statement: '54s' });
  });

  it("keeps a role's own lock_timeout after waiting for the runner lock", async () => {
    const role = `runner_${randomBytes(4).toString('hex')}`;
    // A password, for servers that ask for one over TCP (the embedded one does).
    await db.client.query(`CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD 'runner-pw'; ALTER ROLE ${role} SET lock_timeout = '2345ms'`);
    const url = new URL(db.url);
    url.username = role;
    url.password = 'runner-pw';
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const result = await advance({ db: client, schema: next(), migrations: [], policy: testPolicy, waitMs: 1_000 });
      expect(result.stoppedAt).toBeNull();
      expect((await client.query<{ lock: string }>(`SELECT current_setting('lock_timeout') AS lock`)).rows[0]?.lock).toBe('2345ms');
    } finally {
      await client.end();
      await db.client.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });
});

describe('a server that accepts connections and never answers', () => {
  let server: net.Server;
  let url = '';
  const sockets: net.Socket[] = [];
  beforeAll(async () => {
    server = net.createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `postgres://postgres:hunter2@127.0.0.1:${(server.address() as net.AddressInfo).port}/app`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([['advance'], ['status']])('ends %s with exit 1, saying the server did not answer in the connect timeout', async (command) => {
    const dir = await project({ '1_a.ts': migrationSource({ expand: { sql: 'SELECT 1' } }) }, { connectTimeout: '1s' });
    const result = await timed(runCli([command], { cwd: dir, env: { DATABASE_URL: url } }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`did not answer in 1s`);
    expect(result.stderr).not.toContain('hunter2');
    expect(result.ms).toBeLessThan(20_000);
  });

  it('makes plan fall back to an offline report, as for a refused connection', async () => {
    const dir = await project({ '1_a.ts': migrationSource({ expand: { sql: 'SELECT 1' } }) }, { connectTimeout: '1s' });
    const result = await timed(runCli(['plan', '--format', 'json'], { cwd: dir, env: { DATABASE_URL: url } }));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('did not answer in 1s; the plan is made offline');
    expect(JSON.parse(result.stdout)).toMatchObject({ database: { kind: 'offline' } });
    expect(result.ms).toBeLessThan(20_000);
  });
});
