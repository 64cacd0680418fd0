// Start-up cost of `migrate advance` when there is nothing to do, over 100
// migrations: what a pipeline pays on every deploy. Side by side in one run
// with node-pg-migrate's `up` over 100 equivalent applied migrations (each
// tool in its own database), the two alternating run by run. Prints a table.
// With --latency, every connection goes through a TCP proxy that holds each
// chunk that many ms each way, as a server in another zone or region would:
// what each round trip a command makes costs a pipeline.
//   npm run bench:startup -- [--migrations 100] [--runs 15] [--latency 0]
// Uses $DATABASE_URL when set, else an embedded PostgreSQL.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedServer } from '../dist/cli/demo/embedded-server.js';
import { startLatencyProxy } from './latency-proxy.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const count = arg('migrations', 100);
const runs = arg('runs', 15);
const latency = arg('latency', 0);
const bin = fileURLToPath(new URL('../bin/migrate.js', import.meta.url));
const npmBin = fileURLToPath(new URL('../node_modules/node-pg-migrate/bin/node-pg-migrate.js', import.meta.url));

const server = process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, stop: async () => {} } : await startEmbeddedServer();

const proxy = latency > 0 ? await startLatencyProxy(server.url, latency) : undefined;
const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
const databases = [];
const createDatabase = async (name) => {
  await admin.query(`CREATE DATABASE ${name}`);
  databases.push(name);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return proxy === undefined ? url.toString() : proxy.through(url.toString());
};
const ids = Array.from({ length: count }, (_, i) => i);

// phasegate: each migration creates a table in expand and adds a column in contract.
const dir = mkdtempSync(path.join(tmpdir(), 'phasegate-bench-'));
mkdirSync(path.join(dir, 'migrations'));
for (const i of ids) {
  writeFileSync(
    path.join(dir, 'migrations', `${20260000000000 + i}_m${i}.ts`),
    `import { defineMigration } from 'phasegate';\nexport default defineMigration({\n  expand: { sql: 'CREATE TABLE t${i} (id bigint PRIMARY KEY, v text)', down: 'DROP TABLE t${i}' },\n  contract: { sql: 'ALTER TABLE t${i} ADD COLUMN w int', gate: { app: 'api', version: '>=1.0.0' } },\n});\n`,
  );
}
const env = { ...process.env, DATABASE_URL: await createDatabase(`bench_startup_${process.pid}`), PHASEGATE_LOG_LEVEL: 'warn' };

// node-pg-migrate: the same two statements per migration, as plain CommonJS files.
const npmDir = mkdtempSync(path.join(tmpdir(), 'phasegate-bench-npm-'));
mkdirSync(path.join(npmDir, 'migrations'));
writeFileSync(path.join(npmDir, 'package.json'), '{ "type": "commonjs" }\n');
for (const i of ids) {
  writeFileSync(
    path.join(npmDir, 'migrations', `${1700000000000 + i}_m${i}.js`),
    `exports.up = (pgm) => {\n  pgm.sql('CREATE TABLE t${i} (id bigint PRIMARY KEY, v text)');\n  pgm.sql('ALTER TABLE t${i} ADD COLUMN w int');\n};\nexports.down = (pgm) => pgm.sql('DROP TABLE t${i}');\n`,
  );
}
const npmEnv = { ...process.env, DATABASE_URL: await createDatabase(`bench_startup_npm_${process.pid}`) };

const run = (args, cwd = dir, runEnv = env) => {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, env: runEnv, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}:\n${result.stdout}${result.stderr}`);
  return ms;
};
const first = run([bin, 'mark', '--app', 'api', '--version', '1.0.0']);
const apply = run([bin, 'advance']);
const npmApply = run([npmBin, 'up', '-m', 'migrations'], npmDir, npmEnv);

const commands = [
  { label: 'node (empty script)', args: ['-e', ''] },
  { label: 'migrate --help', args: [bin, '--help'] },
  { label: `migrate advance, ${count} migrations, nothing to do`, args: [bin, 'advance'] },
  { label: `node-pg-migrate up, ${count} migrations, nothing to do`, args: [npmBin, 'up', '-m', 'migrations'], cwd: npmDir, env: npmEnv },
  { label: `migrate status, ${count} migrations`, args: [bin, 'status'] },
];
// Every command once to warm the file cache and the loaders' caches, then
// round after round of each in turn, so a change in the machine's load
// weighs on every row alike.
for (const c of commands) run(c.args, c.cwd, c.env);
const samples = commands.map(() => []);
for (let r = 0; r < runs; r++) commands.forEach((c, i) => samples[i].push(run(c.args, c.cwd, c.env)));

const stats = samples.map((values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { median: q(0.5), p90: q(0.9), min: sorted[0] };
});
const base = stats[0].median;
console.log(`first advance (applies ${count * 2} units): ${Math.round(apply)} ms (mark: ${Math.round(first)} ms); first node-pg-migrate up: ${Math.round(npmApply)} ms`);
console.log(`${runs} runs each, alternating${latency > 0 ? `; every connection through a proxy holding each chunk ${latency} ms each way (${2 * latency} ms a round trip)` : ''}\n`);
console.log('| command | median ms | p90 ms | min ms | median − node |');
console.log('| --- | ---: | ---: | ---: | ---: |');
commands.forEach((c, i) => {
  const s = stats[i];
  console.log(`| ${c.label} | ${s.median.toFixed(0)} | ${s.p90.toFixed(0)} | ${s.min.toFixed(0)} | ${(s.median - base).toFixed(0)} |`);
});
const [advance, npmUp] = [stats[2], stats[3]];
console.log(`\nphasegate advance / node-pg-migrate up: median ${(advance.median / npmUp.median).toFixed(2)}x, p90 ${(advance.p90 / npmUp.p90).toFixed(2)}x (target <= 0.80x)`);
console.log(`migrate --help − node: ${(stats[1].median - base).toFixed(0)} ms (target < 150 ms)`);

for (const name of databases) await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
await admin.end();
await proxy?.stop();
await server.stop();
