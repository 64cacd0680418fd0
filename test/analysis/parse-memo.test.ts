import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AnalysisInput, ParseKind, ParseMemo } from '../../src/analysis/index.js';
import { diskParseMemo } from '../../src/cli/parse-cache.js';

/** A migration whose analysis uses every parser call: statements, comments, a DO block and fragments. */
const INPUT: AnalysisInput = {
  migration: '0001_memo',
  pgVersion: 16,
  phases: [
    {
      phase: 'expand',
      steps: [
        { sql: `-- add the column\nALTER TABLE "Users" ADD COLUMN email_address text;`, transactional: true },
        { sql: `DO $$ BEGIN UPDATE users SET email_address = email; END $$;`, transactional: true },
        { sql: 'ALTER TABLE users ALTER COLUMN email TYPE varchar(20);', transactional: false },
      ],
    },
  ],
  fragments: [{ kind: 'setList', field: 'backfill.set', sql: 'email_address = lower(email)' }],
};

class MapMemo implements ParseMemo {
  readonly values = new Map<string, string>();
  misses = 0;
  get(kind: ParseKind, text: string): unknown {
    const json = this.values.get(`${kind}\0${text}`);
    if (json === undefined) this.misses += 1;
    return json === undefined ? undefined : JSON.parse(json);
  }
  set(kind: ParseKind, text: string, value: unknown): void {
    this.values.set(`${kind}\0${text}`, JSON.stringify(value));
  }
}

/** The analysis module as a new process sees it: the parser not loaded yet. */
async function freshAnalysis(): Promise<typeof import('../../src/analysis/index.js')> {
  vi.resetModules();
  return import('../../src/analysis/index.js');
}

afterEach(() => {
  vi.doUnmock('libpg-query');
});

describe('the parse memo', () => {
  it('answers a second analysis without loading the parser, with the same result', async () => {
    const memo = new MapMemo();
    const first = await freshAnalysis();
    first.useParseMemo(memo);
    const parsed = await first.analyzeMigration(INPUT);
    const normalized = await first.withSqlNormalizer((normalize) => normalize('UPDATE users SET a = 1', 'statements'));
    expect(memo.values.size).toBeGreaterThan(3);

    vi.doMock('libpg-query', () => {
      throw new Error('the parser was loaded although every parse was in the memo');
    });
    const second = await freshAnalysis();
    second.useParseMemo(memo);
    memo.misses = 0;
    expect(await second.analyzeMigration(INPUT)).toEqual(parsed);
    expect(memo.misses).toBe(0);
    expect(await second.withSqlNormalizer((normalize) => normalize('UPDATE users SET a = 1', 'statements'))).toBe(normalized);
  });

  it('runs the work again with the parser when one parse is missing, whatever the first run made of the miss', async () => {
    const memo = new MapMemo();
    const first = await freshAnalysis();
    first.useParseMemo(memo);
    const parsed = await first.analyzeMigration(INPUT);

    // Each entry left out in turn: the DO block's tree, a comment scan, the fragment's statement...
    for (const key of [...memo.values.keys()]) {
      const partial = new MapMemo();
      for (const [k, v] of memo.values) if (k !== key) partial.values.set(k, v);
      const again = await freshAnalysis();
      again.useParseMemo(partial);
      expect(await again.analyzeMigration(INPUT), `without ${key.split('\0')[0]} of ${JSON.stringify(key.split('\0')[1]?.slice(0, 40))}`).toEqual(parsed);
      expect(partial.values.has(key)).toBe(true);
    }
  });

  it('still reports SQL that does not parse, and keeps no tree for it', async () => {
    const memo = new MapMemo();
    const analysis = await freshAnalysis();
    analysis.useParseMemo(memo);
    const broken: AnalysisInput = { ...INPUT, phases: [{ phase: 'expand', steps: [{ sql: 'ALTER TABLE users ADD COLUMN;', transactional: false }] }], fragments: [] };
    await expect(analysis.analyzeMigration(broken)).rejects.toMatchObject({ code: 'INVALID_SQL' });
    await expect(analysis.analyzeMigration(broken)).rejects.toMatchObject({ code: 'INVALID_SQL' });
    expect([...memo.values.keys()].some((k) => k.includes('ADD COLUMN;'))).toBe(false);
  });
});

describe('the parse memo on disk', () => {
  const folder = (): string => mkdtempSync(path.join(tmpdir(), 'phasegate-parse-memo-'));

  it('gives back what was kept, in a folder named after the parser version', () => {
    const root = folder();
    const memo = diskParseMemo(root);
    memo.set('parse', 'SELECT 1', { stmts: [{ stmt: { SelectStmt: {} } }] });
    expect(diskParseMemo(root).get('parse', 'SELECT 1')).toEqual({ stmts: [{ stmt: { SelectStmt: {} } }] });
    expect(diskParseMemo(root).get('scan', 'SELECT 1')).toBeUndefined();
    expect(readdirSync(path.join(root, 'parse'))).toEqual([expect.stringMatching(/^\d+\.\d+\.\d+/)]);
  });

  it('reads a damaged entry as missing, so the text is parsed anew', () => {
    const root = folder();
    diskParseMemo(root).set('parse', 'SELECT 2', { stmts: [] });
    const [version = ''] = readdirSync(path.join(root, 'parse'));
    const [entry = ''] = readdirSync(path.join(root, 'parse', version));
    writeFileSync(path.join(root, 'parse', version, entry), '{"stmts": [');
    expect(diskParseMemo(root).get('parse', 'SELECT 2')).toBeUndefined();
  });

  it('drops the trees of other parser versions when it writes', () => {
    const root = folder();
    diskParseMemo(root).set('parse', 'SELECT 3', { stmts: [] });
    const [version = ''] = readdirSync(path.join(root, 'parse'));
    writeFileSync(path.join(root, 'parse', '0.0.1'), '');
    diskParseMemo(root).set('parse', 'SELECT 4', { stmts: [] });
    expect(readdirSync(path.join(root, 'parse'))).toEqual([version]);
  });
});
