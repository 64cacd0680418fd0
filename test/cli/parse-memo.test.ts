import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, runCli, withoutPackages } from '../support/cli.js';

const migration = (column: string): string => `import { defineMigration } from 'phasegate';

export default defineMigration({
  expand: {
    sql: [
      '-- the new column\\nALTER TABLE accounts ADD COLUMN ${column} text',
      "DO $$ BEGIN UPDATE accounts SET ${column} = lower(name); END $$",
      'ALTER TABLE accounts ALTER COLUMN name SET NOT NULL',
    ],
  },
  backfill: { backfill: { table: 'accounts', set: '${column} = lower(name)', where: '${column} IS NULL' } },
});
`;

describe('the parse memo of the CLI', () => {
  it('lints SQL it analysed before without the SQL parser, with the same findings, and needs the parser for anything new', async () => {
    // A column name of its own, so no other test or run has analysed this text yet.
    const column = `email_${process.pid}_${Date.now()}`;
    const dir = await makeProject({ '1_accounts.ts': migration(column) });
    const first = await runCli(['lint', '--json'], { cwd: dir });
    expect(first.code).toBe(4); // SET NOT NULL in expand is an error finding
    expect(first.stdout).toContain('"rule"');

    const again = await runCli(['lint', '--json'], { cwd: dir, env: withoutPackages('libpg-query') });
    expect(again.stderr).toBe(first.stderr);
    expect(again.stdout).toBe(first.stdout);
    expect(again.code).toBe(first.code);

    // The hidden parser is really gone: a text not analysed before cannot be linted.
    await writeFile(path.join(dir, 'migrations', '1_accounts.ts'), migration(`${column}_renamed`));
    const changed = await runCli(['lint'], { cwd: dir, env: withoutPackages('libpg-query') });
    expect(changed.code).not.toBe(first.code);
    expect(changed.stderr).toContain('libpg-query');
  });
});
