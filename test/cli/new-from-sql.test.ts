import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../support/cli.js';

/*
 * `migrate new <name> --sql` turns the plain statements people reach for into
 * operations; the file it writes must load, compile and lint clean offline.
 */
const STATEMENTS: readonly [string, string, RegExp][] = [
  ['rename column', 'ALTER TABLE users RENAME COLUMN email TO email_address', /ops\.alterColumn\(\{ table: 'users', column: 'email', name: 'email_address' \}\)/],
  ['rename table', 'ALTER TABLE app.users RENAME TO members', /ops\.renameTable\(\{ from: 'users', to: 'members', schema: 'app' \}\)/],
  ['type change', 'ALTER TABLE "Users" ALTER COLUMN id TYPE bigint', /ops\.alterColumn\(\{ table: 'Users', column: 'id', type: 'bigint' \}\)/],
  ['type change with USING', "ALTER TABLE users ALTER COLUMN bio TYPE jsonb USING to_jsonb(bio)", /type: 'jsonb', up: 'to_jsonb\(bio\)'/],
  ['set not null', 'ALTER TABLE users ALTER COLUMN email SET NOT NULL', /ops\.alterColumn\(\{ table: 'users', column: 'email', nullable: false \}\)/],
  ['add column not null', "ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'new'", /ops\.addColumn\(\{ table: 'users', column: \{ name: 'status', type: 'text', nullable: false, default: '\\'new\\'' \} \}\)/],
  ['foreign key', 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)', /type: 'foreignKey', columns: \['user_id'\], references: \{ table: 'users', columns: \['id'\] \}/],
  ['check', "ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total > 0 AND note <> ')')", /type: 'check', check: 'total > 0 AND note <> \\'\)\\''/],
  ['unique', 'ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE (ref)', /type: 'unique', columns: \['ref'\]/],
  ['create index', 'CREATE INDEX orders_user_idx ON orders (user_id) WHERE deleted_at IS NULL', /ops\.createIndex\(\{ table: 'orders', name: 'orders_user_idx', columns: \['user_id'\], where: 'deleted_at IS NULL' \}\)/],
  ['drop column', 'ALTER TABLE users DROP COLUMN legacy', /ops\.dropColumn\(\{ table: 'users', column: 'legacy' \}\)/],
];

async function newFromSql(sql: string): Promise<{ code: number | null; stderr: string; source: string | undefined; dir: string }> {
  const dir = await makeProject({});
  const result = await runCli(['new', 'change', '--sql', sql], { cwd: dir });
  const files = await readdir(path.join(dir, 'migrations'));
  const source = files[0] === undefined ? undefined : await readFile(path.join(dir, 'migrations', files[0]), 'utf8');
  return { code: result.code, stderr: result.stderr, source, dir };
}

describe('migrate new --sql', () => {
  it.each(STATEMENTS)('writes the operation for a %s, in a file that loads and lints clean', async (_label, sql, expected) => {
    const { code, stderr, source, dir } = await newFromSql(sql);
    expect(code, stderr).toBe(0);
    expect(source).toMatch(expected);
    const lint = await runCli(['lint', '--json'], { cwd: dir });
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    expect((JSON.parse(lint.stdout) as { findings: unknown[] }).findings).toEqual([]);
  });

  it('gates only the phases the operations generate', async () => {
    const index = await newFromSql('CREATE INDEX orders_user_idx ON orders (user_id)');
    expect(index.source).not.toContain('gates');
    const rename = await newFromSql('ALTER TABLE users RENAME COLUMN email TO email_address');
    expect(rename.source).toMatch(/contract: \{ app: 'api', version: '>=2\.0\.0' \}/);
    expect(rename.source).toMatch(/drop: \{ all: \[\{ marker: 'change-old-app-retired' \}, \{ soak: '24h' \}\] \}/);
  });

  it('refuses a statement no operation covers, naming it, and writes nothing', async () => {
    const { code, stderr, source } = await newFromSql('ALTER TABLE users RENAME COLUMN a TO b; VACUUM users');
    expect(code).toBe(2);
    expect(stderr).toContain('no operation does "VACUUM users"');
    expect(stderr).toContain('RENAME COLUMN, RENAME TABLE');
    expect(source).toBeUndefined();
  });
});

describe('lint hints', () => {
  it('name the operation that makes a risky plain statement safe', async () => {
    const dir = await makeProject({});
    const file = path.join(dir, 'change.sql');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'ALTER TABLE users RENAME COLUMN email TO email_address;\n'));
    const lint = await runCli(['lint', '--json', file], { cwd: dir });
    const findings = (JSON.parse(lint.stdout) as { findings: { hint: string }[] }).findings;
    expect(findings.map((f) => f.hint)).toContainEqual(expect.stringContaining("ops.alterColumn({ table: 'users', column: 'email', name: 'email_address' })"));
  });
});
