import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDataOnly } from '../../src/load/export-cache.js';
import { prewarmIsolatedImport } from '../../src/load/isolated-import.js';
import { loadMigrations } from '../../src/load/index.js';
import type { Worker } from 'node:worker_threads';

const PLAIN = `import { defineMigration, ops } from 'phasegate';
export default defineMigration({ description: 'v1', operations: [ops.createIndex({ table: 't', name: 't_a_idx', columns: ['a'] })] });
`;

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'phasegate-export-cache-'));
  await mkdir(path.join(dir, 'migrations'));
  for (const [name, source] of Object.entries(files)) await writeFile(path.join(dir, 'migrations', name), source);
  return path.join(dir, 'migrations');
}

describe('exports of data-only migration files, kept between runs', () => {
  it('knows a data-only file from one that reaches outside its own text', () => {
    expect(isDataOnly(PLAIN)).toBe(true);
    expect(isDataOnly(`import type { MigrationDefinition } from 'phasegate';\nexport default { expand: { sql: 'SELECT 1' } } satisfies MigrationDefinition;`)).toBe(true);
    for (const outside of [
      "import { x } from './shared';\nexport default x;",
      "import 'dotenv/config';\nexport default {};",
      'export default { description: process.env.WHO };',
      "export default { description: String(Date.now()) };",
      "export default { description: require('os').hostname() };",
      "export default await import('./other.js');",
      "export * from './other.js';",
      "export default { description: globalThis.name };",
    ]) {
      expect(isDataOnly(outside), outside).toBe(false);
    }
  });

  it('loads an edited file as edited, and a file that reads the environment anew on every run', async () => {
    const dir = await project({ '1_plain.ts': PLAIN, '2_env.ts': "import { defineMigration } from 'phasegate';\nexport default defineMigration({ description: process.env.PHASEGATE_TEST_WHO ?? 'nobody', expand: { sql: 'SELECT 1' } });\n" });
    process.env['PHASEGATE_TEST_WHO'] = 'alice';
    const first = await loadMigrations(dir);
    expect(first.map((m) => m.description)).toEqual(['v1', 'alice']);
    process.env['PHASEGATE_TEST_WHO'] = 'bob';
    await writeFile(path.join(dir, '1_plain.ts'), PLAIN.replace("'v1'", "'v2'"));
    const second = await loadMigrations(dir);
    expect(second.map((m) => m.description)).toEqual(['v2', 'bob']);
    delete process.env['PHASEGATE_TEST_WHO'];
  });

  it('gives the same migration from the cache as from the loader', async () => {
    // A text no earlier run has seen, so the first load goes through the loader.
    const dir = await project({ '1_plain.ts': PLAIN.replace("'v1'", `'${path.basename(await mkdtemp(path.join(tmpdir(), 'unique-')))}'`) });
    const [loaded] = await loadMigrations(dir);
    const [cached] = await loadMigrations(dir);
    expect(cached).toEqual(loaded);
  });

  it('ends the worker started ahead when every file comes from the cache, and loads an edited file with a new one', async () => {
    const dir = await project({ '1_plain.ts': PLAIN.replace("'v1'", `'${path.basename(await mkdtemp(path.join(tmpdir(), 'unique-')))}'`) });
    await loadMigrations(dir);
    prewarmIsolatedImport();
    const warm = (globalThis as Record<symbol, Worker | undefined>)[Symbol.for('phasegate.warmLoaderWorker')];
    expect(warm).toBeDefined();
    const exited = new Promise<number>((resolve) => warm?.once('exit', resolve));
    await loadMigrations(dir);
    await expect(Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 5_000))])).resolves.toBeTypeOf('number');
    await writeFile(path.join(dir, '1_plain.ts'), PLAIN.replace("'v1'", "'edited'"));
    expect((await loadMigrations(dir)).map((m) => m.description)).toEqual(['edited']);
  });

  it('starts no worker ahead in a directory whose last load needed none, and starts one again once a load did', async () => {
    const dir = await project({ '1_plain.ts': PLAIN.replace("'v1'", `'${path.basename(await mkdtemp(path.join(tmpdir(), 'unique-')))}'`) });
    const warm = (): Worker | undefined => (globalThis as Record<symbol, Worker | undefined>)[Symbol.for('phasegate.warmLoaderWorker')];
    // The choice is kept per working directory: this test's own, so that other test files cannot change it meanwhile.
    const cwd = process.cwd();
    process.chdir(path.dirname(dir));
    try {
      await loadMigrations(dir); // a text never seen: loaded by a worker
      prewarmIsolatedImport();
      expect(warm()).toBeDefined();
      await loadMigrations(dir); // every file from the cache: the worker started ahead is ended
      expect(warm()).toBeUndefined();
      prewarmIsolatedImport();
      expect(warm()).toBeUndefined();
      await writeFile(path.join(dir, '1_plain.ts'), PLAIN.replace("'v1'", `'${path.basename(path.dirname(dir))}'`));
      expect((await loadMigrations(dir)).map((m) => m.description)).toEqual([path.basename(path.dirname(dir))]);
      prewarmIsolatedImport();
      expect(warm()).toBeDefined();
      await loadMigrations(dir);
    } finally {
      process.chdir(cwd);
    }
  });
});
