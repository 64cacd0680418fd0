import { describe, expect, it } from 'vitest';
import { recordMarker } from '../../src/execute/index.js';
import { StateStore } from '../../src/state/index.js';
import { makeProject, migrationSource, runCli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';

const db = useTestDatabase();
const ESC = '\u001b';
/** Raw characters a terminal would act on besides line breaks: CR, ESC, BEL, a C1 control, a bidi override. */
const RAW = /[\r\u001b\u0007\u0085\u202e]/;

async function markerCount(): Promise<number> {
  const { rows } = await db.client.query<{ n: number }>('SELECT count(*)::int AS n FROM phasegate.markers');
  return rows[0]?.n ?? 0;
}

describe('names given to mark, approve and pause', () => {
  it('refuses a marker name with a newline or a terminal escape with exit 2, without echoing it, and stores nothing', async () => {
    const dir = await makeProject({});
    const env = { DATABASE_URL: db.url };
    const before = await markerCount();
    const newline = await runCli(['mark', 'api-ready\n2026-12-03T00:00:00.000Z  marker forged'], { cwd: dir, env });
    expect(newline.code).toBe(2);
    expect(newline.stderr).toContain('error: the marker name holds the unprintable character U+000A at position 10');
    expect(newline.stderr).not.toContain('forged');
    const escape = await runCli(['mark', `api${ESC}[2Jready`], { cwd: dir, env });
    expect(escape.code).toBe(2);
    expect(escape.stderr).toContain('U+001B');
    expect(escape.stderr).not.toContain(ESC);
    expect(await markerCount()).toBe(before);
  });

  it('refuses an empty, padded or over-long name and escapes or a bidi override in --by with exit 2; 200 characters are fine', async () => {
    const dir = await makeProject({ '1_m.ts': migrationSource({ expand: { sql: 'SELECT 1' } }) });
    const env = { DATABASE_URL: db.url };
    const refused = [
      ['mark', 'x'.repeat(201)],
      ['approve', '1_m', 'expand', '--by', `alice${ESC}]0;owned\u0007`],
      ['pause', '1_m', '--by', 'bob\r'],
    ];
    const [longest, ...results] = await Promise.all([['mark', 'x'.repeat(200)], ...refused].map((args) => runCli(args, { cwd: dir, env })));
    expect(longest?.code).toBe(0);
    results.forEach((result, i) => {
      expect(result.code, JSON.stringify(refused[i])).toBe(2);
      expect(result.stderr).not.toMatch(RAW);
    });
    for (const [marker, by] of [['', null], [' api', null], ['api', `ci\u202egnp.exe`], ['api', '']] as const) {
      await expect(recordMarker(db.client, 'phasegate', { kind: 'marker', name: marker }, by)).rejects.toMatchObject({ code: 'USAGE' });
    }
  });
});

describe('values already stored in the database', () => {
  it('are printed escaped by markers, log and status, one line each', async () => {
    const store = new StateStore(db.client, 'phasegate');
    await store.recordMarker(`evil\n2026-12-03T00:00:00.000Z  marker forged${ESC}[31m`, `ci\u202e\u0085`);
    await store.startUnit('1_esc', 'expand', { raw: {}, normalized: {} });
    await store.failUnit('1_esc', 'expand', `boom${ESC}[2J\rhidden`);
    const dir = await makeProject({ '1_esc.ts': migrationSource({ expand: { sql: 'SELECT 1' } }) });
    const env = { DATABASE_URL: db.url };

    const markers = await runCli(['markers'], { cwd: dir, env });
    expect(markers.code).toBe(0);
    expect(markers.stdout).not.toMatch(RAW);
    const evil = markers.stdout.split('\n').filter((l) => l.includes('evil'));
    expect(evil).toEqual([expect.stringContaining('marker evil\\n2026-12-03T00:00:00.000Z  marker forged\\u{1b}[31m  by ci\\u{202e}\\u{85}')]);
    expect(markers.stdout.split('\n').filter((l) => l.startsWith('2026-12-03T00:00:00.000Z  marker forged'))).toEqual([]);

    const log = await runCli(['log'], { cwd: dir, env });
    expect(log.code).toBe(0);
    expect(log.stdout).not.toMatch(RAW);
    expect(log.stdout).toContain('marker "evil\\n2026-12-03T00:00:00.000Z  marker forged\\u{1b}[31m"');
    expect(log.stdout).toContain('boom\\u{1b}[2J\\rhidden');

    const status = await runCli(['status'], { cwd: dir, env });
    expect(status.code).toBe(0);
    expect(status.stdout).not.toMatch(RAW);
    expect(status.stdout).toContain('boom\\u{1b}[2J\\rhidden');
  });
});
