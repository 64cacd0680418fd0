import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database.js';
import { makeProject, runCli } from '../support/cli.js';

const db = useTestDatabase();
const example = fileURLToPath(new URL('../../migrations-example/migrations', import.meta.url));

async function sqlFile(sql: string): Promise<{ dir: string; file: string }> {
  const dir = await makeProject({});
  const file = path.join(dir, 'change.sql');
  await writeFile(file, sql);
  return { dir, file };
}

describe('migrate lint', () => {
  it('finds nothing wrong with migrations-example and exits 0', async () => {
    const result = await runCli(['lint', example, '--json'], { cwd: path.dirname(example) });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ findings: [], exitCode: 0 });
  });

  it('offline, flags an index build without CONCURRENTLY as an error with its hint and exits 4', async () => {
    const { dir, file } = await sqlFile('-- the users table exists already\nCREATE INDEX users_email_idx ON users (email);\n');
    const result = await runCli(['lint', file, '--json'], { cwd: dir });
    expect(result.code).toBe(4);
    const { findings } = JSON.parse(result.stdout) as { findings: { rule: string; severity: string; line: number; hint: string }[] };
    expect(findings).toEqual([expect.objectContaining({ rule: 'non-concurrent-index', severity: 'error', line: 2, hint: expect.stringContaining('CONCURRENTLY') })]);
  });

  it('judges a --phase contract file differently from expand', async () => {
    const { dir, file } = await sqlFile('ALTER TABLE users RENAME COLUMN email TO mail;');
    expect((await runCli(['lint', file], { cwd: dir })).code).toBe(4);
    expect((await runCli(['lint', file, '--phase', 'contract'], { cwd: dir })).code).toBe(0);
  });

  it('exits 2 with the line when the SQL does not parse', async () => {
    const { dir, file } = await sqlFile('SELECT 1;\nALTER TABLEE users ADD COLUMN x int;');
    const result = await runCli(['lint', file], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/line 2/);
  });

  it('with a database, downgrades a size-dependent rule on a tiny table to a warning that states its size', async () => {
    await db.client.query('CREATE TABLE tiny (id int, email text); INSERT INTO tiny VALUES (1, \'a\'); ANALYZE tiny');
    const { dir, file } = await sqlFile('CREATE INDEX tiny_email_idx ON tiny (email);');
    const result = await runCli(['lint', file, '--json'], { cwd: dir, env: { DATABASE_URL: db.url } });
    expect(result.code).toBe(0);
    const { findings, online } = JSON.parse(result.stdout) as { online: boolean; findings: { rule: string; severity: string; message: string }[] };
    expect(online).toBe(true);
    expect(findings).toEqual([expect.objectContaining({ rule: 'non-concurrent-index', severity: 'warning', message: expect.stringMatching(/tiny is \d+ kB/) })]);
  });
});
