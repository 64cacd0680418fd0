import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database.js';
import { makeProject, migrationSource, runCli } from '../support/cli.js';

const db = useTestDatabase();
let counter = 0;

/** A project whose expand creates a table, so a test can tell whether anything ran. */
async function project(config: object, expand: object = {}, extra: object = {}): Promise<{ dir: string; configFile: string; table: string }> {
  counter += 1;
  const table = `cfg_${counter}`;
  const dir = await makeProject({ '1_t.ts': migrationSource({ expand: { sql: `CREATE TABLE ${table} (id int)`, ...expand }, ...extra }) });
  const configFile = path.join(dir, 'phasegate.config.json');
  await writeFile(configFile, JSON.stringify(config));
  return { dir, configFile, table };
}

async function advance(dir: string, args: readonly string[] = [], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return runCli(['advance', ...args], { cwd: dir, env: { DATABASE_URL: db.url, PHASEGATE_SCHEMA: `cfg_state_${counter}`, ...env } });
}

async function tableExists(table: string): Promise<boolean> {
  const { rows } = await db.client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [table]);
  return rows[0]?.found === true;
}

describe('config that cannot disable safety', () => {
  it('exits 2 naming the file and field when lockTimeout is 0ms, which PostgreSQL reads as no timeout', async () => {
    const p = await project({ timeouts: { lockTimeout: '0ms' } });
    const result = await advance(p.dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${p.configFile}: timeouts.lockTimeout: "0ms" must be longer than 0`);
    expect(result.stderr).toMatch(/hint: .*Configuration/);
    expect(await tableExists(p.table)).toBe(false);
  });

  it('exits 2 naming the field when a timeout is longer than PostgreSQL accepts (statementTimeout 30d)', async () => {
    const p = await project({ nonTransactionalTimeouts: { statementTimeout: '30d' } });
    const result = await advance(p.dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${p.configFile}: nonTransactionalTimeouts.statementTimeout: "30d" is longer than PostgreSQL accepts`);
    expect(await tableExists(p.table)).toBe(false);
  });

  it("exits 2 from advance and lint naming the migration file and step when a step's lockTimeout is above the config's statementTimeout", async () => {
    const p = await project({ timeouts: { statementTimeout: '30s' } }, { sql: undefined, steps: [{ sql: 'SELECT 1' }, { sql: 'SELECT 2', lockTimeout: '45s' }] });
    const result = await advance(p.dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /1_t\.ts: expand\.steps\.2: lockTimeout \(45s\) must be shorter than statementTimeout \(30s from config timeouts\.statementTimeout\)/,
    );
    const lint = await runCli(['lint'], { cwd: p.dir, env: { DATABASE_URL: db.url } });
    expect(lint.code).toBe(2);
    expect(lint.stderr).toContain('expand.steps.2: lockTimeout (45s) must be shorter than statementTimeout (30s from config timeouts.statementTimeout)');
    const both = await project({}, { sql: undefined, steps: [{ sql: `CREATE TABLE cfg_both_${counter} (id int)`, lockTimeout: '10s', statementTimeout: '5s' }] });
    const second = await advance(both.dir);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('expand.steps.1: lockTimeout (10s) must be shorter than statementTimeout (5s)');
    expect(await tableExists(`cfg_both_${counter}`)).toBe(false);
  });

  it('exits 2 when minBatchSize is above maxBatchSize in a backfill spec, in the config, or spec and config combined', async () => {
    const backfill = (spec: object): object => ({ backfill: { backfill: { table: 'x', set: 'a = 1', ...spec } } });
    const inSpec = await project({}, {}, backfill({ minBatchSize: 500, maxBatchSize: 100 }));
    const specResult = await advance(inSpec.dir);
    expect(specResult.code).toBe(2);
    expect(specResult.stderr).toContain('backfill.backfill.minBatchSize: must not be above maxBatchSize (100), but is 500');

    const inConfig = await project({ backfill: { minBatchSize: 500, maxBatchSize: 100 } });
    const configResult = await advance(inConfig.dir);
    expect(configResult.code).toBe(2);
    expect(configResult.stderr).toContain(`${inConfig.configFile}: backfill.minBatchSize: must not be above maxBatchSize (100), but is 500`);

    const combined = await project({ backfill: { maxBatchSize: 100 } }, {}, backfill({ minBatchSize: 500 }));
    const combinedResult = await advance(combined.dir);
    expect(combinedResult.code).toBe(2);
    expect(combinedResult.stderr).toContain('1_t.ts: backfill.backfill: minBatchSize (500) must not be above maxBatchSize (100 from config backfill)');
    expect(await tableExists(combined.table)).toBe(false);
  });

  it("exits 2 naming --schema, PHASEGATE_SCHEMA or the file when the state schema's name is empty or too long", async () => {
    const p = await project({ schema: 'x'.repeat(64) });
    const flag = await advance(p.dir, ['--schema', '']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--schema: must not be empty');
    expect(flag.stderr).not.toMatch(/\n\s+at /);
    const fromEnv = await advance(p.dir, [], { PHASEGATE_SCHEMA: '' });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('PHASEGATE_SCHEMA: must not be empty');
    const fromFile = await runCli(['advance'], { cwd: p.dir, env: { DATABASE_URL: db.url } });
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain(`${p.configFile}: schema: "${'x'.repeat(64)}" is 64 bytes long; PostgreSQL names are at most 63 bytes`);
    expect(await tableExists(p.table)).toBe(false);
  });

  it('reports every config problem at once', async () => {
    const p = await project({ timeouts: { lockTimeout: '2m', statementTimeout: '1m' }, nonTransactionalTimeouts: { lockTimeout: '0s' }, preflight: { wait: 'soon' } });
    const result = await advance(p.dir, [], { PHASEGATE_SCHEMA: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nonTransactionalTimeouts.lockTimeout: "0s" must be longer than 0');
    expect(result.stderr).toContain('preflight.wait: "soon" is not a duration');
    expect(result.stderr).toContain('PHASEGATE_SCHEMA: must not be empty');
    const valid = await project({ timeouts: { lockTimeout: '2m', statementTimeout: '1m' } });
    const order = await advance(valid.dir, [], { PHASEGATE_SCHEMA: '' });
    expect(order.stderr).toContain(`${valid.configFile}: timeouts.lockTimeout (2m) must be shorter than timeouts.statementTimeout (1m)`);
    expect(order.stderr).toContain('PHASEGATE_SCHEMA: must not be empty');
  });
});
