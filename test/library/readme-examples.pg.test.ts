import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { migrationSource } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
const db = useTestDatabase();

/** The README's ```ts blocks; a fragment of a migration (no import) is wrapped in defineMigration. */
async function readmeBlocks(): Promise<{ readonly name: string; readonly source: string }[]> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match, index) => {
    const code = match[1] ?? '';
    const source = /^import /m.test(code) ? code : `import { defineMigration } from 'phasegate';\n\nexport default defineMigration({\n${code}});\n`;
    return { name: `block-${index + 1}.ts`, source };
  });
}

function run(command: string, args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...options.env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('the README', () => {
  it('has TypeScript examples that compile against the published types', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'phasegate-readme-'));
    const blocks = await readmeBlocks();
    expect(blocks.map((b) => b.source).join('\n')).toContain('connectRunner(config)');
    for (const block of blocks) await writeFile(path.join(dir, block.name), block.source);
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          lib: ['ES2023'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          exactOptionalPropertyTypes: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [path.join(ROOT, 'node_modules', '@types')],
          paths: { phasegate: [path.join(ROOT, 'dist', 'index.d.ts')] },
        },
        files: blocks.map((b) => b.name),
      }),
    );
    const tsc = await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir });
    expect(tsc.output).toBe('');
    expect(tsc.code).toBe(0);
  });

  it("runs the Library example: it advances a project's migrations until a gate, like migrate advance", async () => {
    const library = (await readmeBlocks()).find((b) => b.source.includes('connectRunner'));
    expect(library).toBeDefined();
    const dir = await mkdtemp(path.join(tmpdir(), 'phasegate-readme-run-'));
    await mkdir(path.join(dir, 'migrations'));
    await writeFile(
      path.join(dir, 'migrations', '1_widgets.ts'),
      migrationSource({ expand: { sql: 'CREATE TABLE readme_widgets (id int)' }, contract: { sql: 'SELECT 1', gate: { marker: 'readme-ready' } } }),
    );
    await writeFile(path.join(dir, 'example.ts'), library?.source ?? '');
    // Runs the TypeScript example as written, with 'phasegate' meaning this copy (built dist/).
    await writeFile(
      path.join(dir, 'run.mjs'),
      `import { createJiti } from ${JSON.stringify(pathToFileURL(require.resolve('jiti')).href)};\n` +
        `const jiti = createJiti(import.meta.url, { alias: { phasegate: ${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))} } });\n` +
        `await jiti.import('./example.ts');\n`,
    );
    const result = await run(process.execPath, ['run.mjs'], { cwd: dir, env: { DATABASE_URL: db.url, PHASEGATE_SCHEMA: 'readme_state' } });
    expect(result.output).toContain('ran 1_widgets expand');
    expect(result.output).toMatch(/stopped at 1_widgets contract: .*readme-ready/);
    expect(result.code).toBe(0);
    const { rows } = await db.client.query<{ found: boolean }>(`SELECT to_regclass('readme_widgets') IS NOT NULL AS found`);
    expect(rows).toEqual([{ found: true }]);
  });
});
