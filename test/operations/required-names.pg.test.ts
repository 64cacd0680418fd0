import { describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';

const db = useTestDatabase();

const migration = (operations: string): string =>
  `import { defineMigration, ops } from 'phasegate';\nexport default defineMigration({ operations: [${operations}]${operations.includes('dropColumn') ? ", gates: { drop: { marker: 'old-app-retired' } }" : ''} });\n`;

async function tablesNamed(pattern: string): Promise<string[]> {
  const { rows } = await db.client.query<{ relname: string }>(`SELECT relname FROM pg_class WHERE relname LIKE $1 ORDER BY 1`, [pattern]);
  return rows.map((r) => r.relname);
}

describe('names an operation needs, checked against the database before anything runs', () => {
  it('refuses a table spelt with the wrong case and a missing column with exit 2, naming each operation field, and runs nothing', async () => {
    await db.client.query('CREATE TABLE req_accounts (id bigint PRIMARY KEY, email text)');
    const dir = await makeProject({
      '1_first.ts': migration("ops.createIndex({ table: 'req_accounts', name: 'req_accounts_email_idx', columns: ['email'] })"),
      '2_second.ts': migration("ops.addColumn({ table: 'Req_Accounts', column: { name: 'nick', type: 'text' } }), ops.dropColumn({ table: 'req_accounts', column: 'legacy' })"),
    });
    const result = await runCli(['advance'], { cwd: dir, env: { DATABASE_URL: db.url } });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('2_second.ts: operations.0.table: table "Req_Accounts" does not exist');
    expect(result.stderr).toContain('2_second.ts: operations.1.column: table "req_accounts" has no column "legacy"');
    expect(result.stderr).toContain('names in operations are exact');
    expect(await tablesNamed('req_accounts%')).toEqual(['req_accounts', 'req_accounts_pkey']);
  });

  it('accepts a table an earlier operation of the same migration creates', async () => {
    const dir = await makeProject({
      '1_create.ts': migration(
        "ops.createTable({ table: 'req_new', columns: [{ name: 'id', type: 'bigint', primaryKey: true }] }), ops.createIndex({ table: 'req_new', name: 'req_new_id_idx', columns: ['id'] })",
      ),
    });
    const result = await runCli(['advance'], { cwd: dir, env: { DATABASE_URL: db.url } });
    expect(result.code, result.stderr).toBe(0);
    expect(await tablesNamed('req_new%')).toEqual(['req_new', 'req_new_id_idx', 'req_new_pkey']);
  });
});
