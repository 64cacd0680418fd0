// Start-up cost of `migrate advance` when there is nothing to do, over 100
// migrations: what a pipeline pays on every deploy. Prints a table.
//   npm run build && node bench/advance-startup.mjs [--migrations 100] [--runs 15]
// Uses $DATABASE_URL when set, else an embedded PostgreSQL.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedServer } from '../dist/cli/demo/embedded-server.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const count = arg('migrations', 100);
const runs = arg('runs', 15);
const bin = fileURLToPath(new URL('../bin/migrate.js', import.meta.url));

const server = process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, stop: async () => {} } : await startEmbeddedServer();
const database = `bench_startup_${process.pid}`;
const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
const url = new URL(server.url);
url.pathname = `/${database}`;

const dir = mkdtempSync(path.join(tmpdir(), 'phasegate-bench-'));
mkdirSync(path.join(dir, 'migrations'));
for (let i = 0; i < count; i++) {
  const id = String(20260000000000 + i);
  writeFileSync(
    path.join(dir, 'migrations', `${id}_m${i}.ts`),
    `import { defineMigration } from 'phasegate';\nexport default defineMigration({\n  expand: { sql: 'CREATE TABLE t${i} (id bigint PRIMARY KEY, v text)', down: 'DROP TABLE t${i}' },\n  contract: { sql: 'ALTER TABLE t${i} ADD COLUMN w int', gate: { app: 'api', version: '>=1.0.0' } },\n});\n`,
  );
}
const env = { ...process.env, DATABASE_URL: url.toString(), PHASEGATE_LOG_LEVEL: 'warn' };
const time = (args) => {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8' });
  return { ms: performance.now() - started, code: result.status };
};
const first = time([bin, 'mark', '--app', 'api', '--version', '1.0.0']);
const apply = time([bin, 'advance']);
if (apply.code !== 0) throw new Error(`the first advance exited ${apply.code}`);

const measure = (label, args) => {
  time(args); // warm the file cache and jiti's transform cache
  const samples = Array.from({ length: runs }, () => time(args).ms).sort((a, b) => a - b);
  const q = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  return { label, median: q(0.5), p90: q(0.9), min: samples[0] };
};
const rows = [
  measure('node (empty script)', ['-e', '']),
  measure('migrate --help', [bin, '--help']),
  measure(`migrate advance, ${count} migrations, nothing to do`, [bin, 'advance']),
  measure(`migrate status, ${count} migrations`, [bin, 'status']),
];
const base = rows[0].median;
console.log(`first advance (applies ${count * 2} units): ${Math.round(apply.ms)} ms (mark: ${Math.round(first.ms)} ms)`);
console.log('| command | median ms | p90 ms | min ms | median − node |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(`| ${r.label} | ${r.median.toFixed(0)} | ${r.p90.toFixed(0)} | ${r.min.toFixed(0)} | ${(r.median - base).toFixed(0)} |`);

await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
await admin.end();
await server.stop();
