import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../support/cli.js';

/**
 * A pg_dump first on PATH that writes down its arguments and the password in
 * its environment, then fails as a refused connection would.
 */
async function fakePgDump(dir: string): Promise<{ bin: string; args: () => Promise<string>; password: () => Promise<string> }> {
  const bin = path.join(dir, 'fake-bin');
  await mkdir(bin);
  await writeFile(
    path.join(bin, 'pg_dump'),
    `#!/bin/sh\nprintf '%s\\n' "$@" > "${bin}/args.txt"\nprintf '%s' "$PGPASSWORD" > "${bin}/password.txt"\necho "pg_dump: error: connection to server failed" >&2\nexit 1\n`,
  );
  await chmod(path.join(bin, 'pg_dump'), 0o755);
  return { bin, args: () => readFile(path.join(bin, 'args.txt'), 'utf8'), password: () => readFile(path.join(bin, 'password.txt'), 'utf8') };
}

describe('rehearse --schema-from-target', () => {
  it.each([
    ['in the URL', 'postgres://alice:s3cr%40t-pw@127.0.0.1:5999/app?sslmode=disable', 'postgres://alice@127.0.0.1:5999/app?sslmode=disable'],
    ['in its query', 'postgres://alice@127.0.0.1:5999/app?password=s3cr%40t-pw&sslmode=disable', 'postgres://alice@127.0.0.1:5999/app?sslmode=disable'],
  ])('gives pg_dump the password %s in its environment, never on its command line, where `ps` shows it', async (_, url, shown) => {
    const dir = await makeProject({});
    const pgDump = await fakePgDump(dir);
    await writeFile(path.join(dir, 'new.sql'), 'SELECT 1;\n');
    const result = await runCli(['rehearse', '--schema-from-target', '--new-app', 'new.sql'], { cwd: dir, env: { DATABASE_URL: url, PATH: `${pgDump.bin}:${process.env['PATH'] ?? ''}` } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--schema-from-target: pg_dump failed');
    expect((await pgDump.args()).trim().split('\n').at(-1)).toBe(shown);
    expect(await pgDump.password()).toBe('s3cr@t-pw');
    expect(result.stdout + result.stderr).not.toContain('s3cr');
  });
});
