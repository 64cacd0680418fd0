import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inject, describe, expect, it } from 'vitest';
import { makeProject, migrationSource, runCli, startCli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';
import { scratchDatabases, scratchNameIn } from './helpers.js';

const admin = inject('adminUrl');
const target = useTestDatabase();

const SETUP = `CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL);
INSERT INTO users (name) SELECT 'u' || g FROM generate_series(1, 50) g;
`;

/** pg_dump refuses a server newer than itself: --schema-from-target is tried only where the pg_dump on PATH can dump this server. */
async function pgDumpFits(): Promise<boolean> {
  let dumpMajor: number;
  try {
    dumpMajor = Number(/(\d+)/.exec(execFileSync('pg_dump', ['--version'], { encoding: 'utf8' }))?.[1] ?? 0);
  } catch {
    return false;
  }
  const { rows } = await target.client.query<{ v: number }>(`SELECT current_setting('server_version_num')::int / 10000 AS v`);
  return dumpMajor >= (rows[0]?.v ?? Infinity);
}

const addEmail = {
  expand: { sql: 'ALTER TABLE users ADD COLUMN email text' },
  backfill: { backfill: { table: 'users', set: "email = name || '@example.com'", where: 'email IS NULL' }, verify: 'SELECT count(*) FROM users WHERE email IS NULL' },
  contract: { sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL' },
};

/** Everything a write could change: the catalog of user and state schemas, and every row of their tables. */
async function fingerprint(): Promise<string> {
  const { rows } = await target.client.query<{ f: string }>(`
    SELECT string_agg(x, E'\\n' ORDER BY x) AS f FROM (
      SELECT format('%s.%s %s %s', n.nspname, c.relname, c.relkind, c.relnatts) AS x
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      UNION ALL
      SELECT format('%s.%s.%s %s %s', table_schema, table_name, column_name, data_type, is_nullable) FROM information_schema.columns
       WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
      UNION ALL
      SELECT format('trigger %s', tgname) FROM pg_trigger WHERE NOT tgisinternal
      UNION ALL
      SELECT 'users ' || md5(string_agg(u::text, ',' ORDER BY u.id)) FROM users u
      UNION ALL
      SELECT 'units ' || md5(coalesce(string_agg(s::text, ',' ORDER BY s::text), '')) FROM phasegate.units s
      UNION ALL
      SELECT 'events ' || count(*) FROM phasegate.events
    ) t`);
  return rows[0]?.f ?? '';
}

describe('migrate rehearse and the databases it touches', () => {
  it('never writes the target database: its catalog and rows are the same after rehearsals, and its done units are not rehearsed again', async () => {
    const dir = await makeProject({ '20260101000000_add_email.ts': migrationSource(addEmail) });
    await writeFile(path.join(dir, 'setup.sql'), SETUP);
    await writeFile(path.join(dir, 'new.sql'), "INSERT INTO users (name, email) VALUES ('n', 'n@example.com');\n");
    await target.client.query(SETUP);
    const env = { DATABASE_URL: target.url };
    const advanced = await runCli(['advance', '--to', '20260101000000_add_email:expand'], { cwd: dir, env });
    expect(advanced.code, advanced.stderr).toBe(0);
    const before = await fingerprint();

    const starts = (await pgDumpFits()) ? [['--setup', 'setup.sql'], ['--schema-from-target']] : [['--setup', 'setup.sql']];
    for (const start of starts) {
      const result = await runCli(['rehearse', ...start, '--new-app', 'new.sql', '--scratch-url', admin, '--json', '--traffic', '1'], { cwd: dir, env });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as { steps: { phase: string }[] };
      expect(report.steps.map((s) => s.phase)).toEqual(['backfill', 'backfill', 'contract']);
    }
    expect(await fingerprint()).toBe(before);
  });

  it('drops its scratch database when interrupted with SIGINT in the middle of a step, traffic running', async () => {
    const slow = { expand: { sql: ['SELECT pg_sleep(0.5)', 'SELECT pg_sleep(0.5)', 'SELECT pg_sleep(0.5)', 'SELECT pg_sleep(0.5)', 'SELECT pg_sleep(0.5)', 'SELECT pg_sleep(0.5)'] } };
    const dir = await makeProject({ '20260101000000_slow.ts': migrationSource(slow) });
    await writeFile(path.join(dir, 'setup.sql'), SETUP);
    await writeFile(path.join(dir, 'old.sql'), "INSERT INTO users (name) VALUES ('o');\n");
    const { child, done } = startCli(['rehearse', '--setup', 'setup.sql', '--old-app', 'old.sql', '--scratch-url', admin, '--traffic', '2', '--log-level', 'info'], { cwd: dir });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const deadline = Date.now() + 20_000;
    while (!stderr.includes('"msg":"unit started"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const name = scratchNameIn(stderr);
    expect(await scratchDatabases(admin)).toContain(name);
    await new Promise((r) => setTimeout(r, 700));
    child.kill('SIGINT');
    const result = await done;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/stopped at 20260101000000_slow expand: .*interrupted/);
    expect(await scratchDatabases(admin)).not.toContain(name);
  });
});
