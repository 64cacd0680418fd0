import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/phasegate/', import.meta.url));
const cacheOf = (command: string): string | undefined => {
  const name = existsSync(CACHE_DIR) ? readdirSync(CACHE_DIR).find((f) => new RegExp(`^migrate-[0-9a-f]+-${command}\\.v8$`).test(f)) : undefined;
  return name === undefined ? undefined : path.join(CACHE_DIR, name);
};

describe('the CLI code cache', () => {
  it('keeps one per command, and a damaged one changes nothing but is replaced', async () => {
    const first = await runCli(['new', '--help'], { cwd: tmpdir() });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Usage: migrate new');
    const file = cacheOf('new');
    expect(file).toBeDefined();

    const garbage = Buffer.from('not a V8 code cache');
    writeFileSync(file as string, garbage);
    const again = await runCli(['new', '--help'], { cwd: tmpdir() });
    expect({ code: again.code, stdout: again.stdout, stderr: again.stderr }).toEqual({ code: 0, stdout: first.stdout, stderr: first.stderr });
    expect(readFileSync(file as string).equals(garbage)).toBe(false);
  });
});
