import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, migrationSource, runCli, type CliResult } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';

const db = useTestDatabase();
const SECRET = `Zq${randomBytes(6).toString('hex')}`;
// Roles are cluster-wide: unique names, dropped after the file.
const ROLE = `phasegate_secret_${randomBytes(4).toString('hex')}`;
const HOLDER_ROLE = `${ROLE}_holder`;

afterAll(async () => {
  await db.client.query(`DROP ROLE IF EXISTS ${ROLE}; DROP ROLE IF EXISTS ${HOLDER_ROLE}`).catch(() => undefined);
});

const all = (...results: CliResult[]): string => results.map((r) => `${r.stdout}\n${r.stderr}`).join('\n');

/** Every text column of every state table, as text. */
async function stateText(schema: string): Promise<string> {
  const tables = ['migrations', 'units', 'steps', 'backfills', 'events', 'markers', 'approvals', 'backfill_controls'];
  // One client answers one query at a time (pg 9 refuses queued ones).
  const parts: string[] = [];
  for (const t of tables) parts.push(JSON.stringify((await db.client.query(`SELECT t::text AS row FROM ${schema}.${t} t`)).rows));
  return parts.join('\n');
}

describe('secrets', () => {
  it('shows a PASSWORD literal of a step as *** in plan (all four formats), advance --dry-run, advance, status and log, and stores it nowhere', async () => {
    const dir = await makeProject({
      '1_role.ts': migrationSource({
        expand: { sql: [`CREATE ROLE ${ROLE} LOGIN ENCRYPTED PASSWORD 'it''s ${SECRET}'`, `CREATE TABLE app_users (id int PRIMARY KEY)`] },
      }),
    });
    const env = { DATABASE_URL: db.url, PHASEGATE_SCHEMA: 'secrets_plan' };
    const outputs = await Promise.all([
      ...['text', 'markdown', 'json'].map((format) => runCli(['plan', '--format', format], { cwd: dir, env })),
      runCli(['plan', '--format', 'html', '--output', 'plan.html'], { cwd: dir, env }),
      runCli(['advance', '--dry-run'], { cwd: dir, env }),
    ]);
    const file = await readFile(path.join(dir, 'plan.html'), 'utf8');
    const advanced = await runCli(['advance', '--json'], { cwd: dir, env });
    expect(advanced.code).toBe(0);
    outputs.push(advanced, ...(await Promise.all([['status'], ['log', '--json']].map((args) => runCli(args, { cwd: dir, env })))));
    for (const result of outputs) expect(result.code).toBe(0);
    const text = all(...outputs) + file;
    expect(text).not.toContain(SECRET);
    expect(outputs[0]?.stdout).toContain("ENCRYPTED PASSWORD '***'");
    expect(file).toContain('***');
    expect(await stateText('secrets_plan')).not.toContain(SECRET);
  }, 120_000);

  it("hides a blocking session's PASSWORD literal in the step error, logs, status, log and every state table, while still naming the blocker", async () => {
    await db.client.query(`CREATE TABLE locked_items (id int PRIMARY KEY); CREATE ROLE ${HOLDER_ROLE}`);
    const holder = await db.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE locked_items IN ACCESS EXCLUSIVE MODE');
    // The holder's last statement is what pg_stat_activity shows as its query.
    await holder.query(`ALTER ROLE ${HOLDER_ROLE} PASSWORD '${SECRET}'`);
    const dir = await makeProject({
      '1_blocked.ts': migrationSource({ expand: { steps: [{ sql: 'ALTER TABLE locked_items ADD COLUMN note text', lockTimeout: '100ms' }] } }),
    });
    await writeFile(path.join(dir, 'phasegate.config.ts'), "export default { migrationsDir: 'migrations', lockRetries: 2 };\n");
    const env = { DATABASE_URL: db.url, PHASEGATE_SCHEMA: 'secrets_blocked' };
    try {
      const failed = await runCli(['advance'], { cwd: dir, env });
      const failedJson = await runCli(['advance', '--json'], { cwd: dir, env });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(new RegExp(`blocked by pid \\d+.*ALTER ROLE ${HOLDER_ROLE} PASSWORD '\\*\\*\\*'`));
      const reads = await Promise.all([['status', '--json'], ['log']].map((args) => runCli(args, { cwd: dir, env })));
      expect(all(failed, failedJson, ...reads)).not.toContain(SECRET);
      const stored = await stateText('secrets_blocked');
      expect(stored).toContain(`PASSWORD '***'`);
      expect(stored).not.toContain(SECRET);
    } finally {
      await holder.query('ROLLBACK');
    }
  }, 120_000);

  it('hides a URL password with a raw @ and a password= pair written in a step, in plan and advance --dry-run', async () => {
    const dir = await makeProject({
      '1_replica.ts': migrationSource({
        expand: {
          sql: [
            `COMMENT ON SCHEMA public IS 'replica: postgres://rep:p@${SECRET}@10.0.0.2/app'`,
            `COMMENT ON SCHEMA public IS 'conninfo: host=10.0.0.2 password=${SECRET} dbname=app'`,
          ],
        },
      }),
    });
    const env = { DATABASE_URL: db.url, PHASEGATE_SCHEMA: 'secrets_url' };
    const outputs = await Promise.all([
      ...['text', 'markdown', 'json', 'html'].map((format) => runCli(['plan', '--offline', '--format', format], { cwd: dir, env })),
      runCli(['advance', '--dry-run', '--json'], { cwd: dir, env }),
    ]);
    for (const result of outputs) expect(result.code).toBe(0);
    expect(all(...outputs)).not.toContain(SECRET);
    expect(outputs[0]?.stdout).toContain('postgres://rep:***@10.0.0.2/app');
    expect(outputs[0]?.stdout).toContain('password=*** dbname=app');
  }, 120_000);
});
