import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/**
 * Which folders each folder may import (docs/architecture.md, "Layout").
 * The top-level errors.ts, logger.ts and secrets.ts are shared by all.
 */
const ALLOWED: Record<string, readonly string[]> = {
  pg: [],
  plan: [],
  load: ['plan'],
  analysis: ['plan'],
  gates: ['plan'],
  state: ['plan', 'pg'],
  backfill: ['plan', 'state', 'pg'],
  execute: ['plan', 'gates', 'analysis', 'state', 'backfill', 'pg'],
  report: ['plan', 'analysis', 'state', 'execute', 'pg'],
  rehearse: ['plan', 'load', 'analysis', 'state', 'execute', 'backfill', 'gates', 'pg'],
  cli: ['plan', 'load', 'gates', 'analysis', 'state', 'execute', 'backfill', 'report', 'rehearse', 'pg'],
};

const SHARED_FILES: ReadonlySet<string> = new Set(['errors.js', 'logger.js', 'secrets.js', 'disk-cache.js']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

const edges = files(SRC).flatMap((file) => {
  const from = path.relative(SRC, file).split(path.sep)[0] ?? '';
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/^(?:import|export)[^'"]*from '(\.{1,2}\/[^']+)'/gm)].map((match) => {
    const target = path.relative(SRC, path.resolve(path.dirname(file), match[1] ?? ''));
    return { file: path.relative(SRC, file), from, target };
  });
});

describe('architecture', () => {
  it('imports other folders only through their index.ts', () => {
    const deep = edges.filter((e) => {
      const [folder, ...rest] = e.target.split(path.sep);
      return folder !== e.from && rest.length > 0 && rest.join('/') !== 'index.js';
    });
    expect(deep.map((e) => `${e.file} -> ${e.target}`)).toEqual([]);
  });

  it('keeps data flowing one way: no folder imports one it may not', () => {
    const backEdges = edges.filter((e) => {
      const folder = e.target.split(path.sep)[0] ?? '';
      if (folder === e.from || SHARED_FILES.has(e.target) || e.from === 'index.ts' || SHARED_FILES.has(e.from.replace(/\.ts$/, '.js'))) return false;
      return !(ALLOWED[e.from] ?? []).includes(folder);
    });
    expect(backEdges.map((e) => `${e.file} -> ${e.target}`)).toEqual([]);
  });

  it('prints nothing below cli/', () => {
    const printing = files(SRC)
      .filter((f) => !path.relative(SRC, f).startsWith('cli'))
      .filter((f) => /console\.|process\.(stdout|stderr|exit)/.test(readFileSync(f, 'utf8')));
    expect(printing.map((f) => path.relative(SRC, f))).toEqual([]);
  });
});
