// Backfill throughput and its cost to live traffic, in one run on a fresh
// database: a plain UPDATE of the whole table (the throughput ceiling, which
// blocks writers for its whole duration) against the backfill with default
// settings run by `migrate advance` as a deploy runs it (its process start,
// config and migration loading, state install and verification included),
// each idle and under a concurrent writer workload (single-row updates and
// inserts on a few connections). A fifth run, idle, sends the runner's own
// batch statements with no process behind them: what batching costs
// PostgreSQL itself, the floor of any batched backfill. The plain UPDATE and
// the bare batches each run on a session opened for them (not timed), as any
// client's UPDATE would: the session that loaded the table runs the same
// UPDATE several percent faster (its process already mapped the shared
// buffers), and a sixth run, the plain UPDATE on that session, shows by how
// much. The runs are repeated in rounds; the table shows each run's median
// round, and the ratios are taken within each round (the machine is shared:
// its speed drifts between rounds). Prints a markdown table. With --latency,
// `migrate advance` reaches the server through a proxy that holds each chunk
// that many ms each way, as a deploy runner in another zone or region would;
// the plain UPDATE, the bare batches and the writers (the application) stay
// next to the server.
//   npm run bench:backfill -- [--rows 1000000] [--writers 4] [--baseline-seconds 3] [--repeat 5] [--latency 0]
// Uses $DATABASE_URL when set, else an embedded PostgreSQL.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedServer } from '../dist/cli/demo/embedded-server.js';
import { buildBatchSql } from '../dist/backfill/batch-sql.js';
import { ensureStateSchema } from '../dist/index.js';
import { BackfillStore } from '../dist/state/index.js';
import { startLatencyProxy } from './latency-proxy.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const rows = arg('rows', 1_000_000);
const writerCount = arg('writers', 4);
const baselineSeconds = arg('baseline-seconds', 3);
const repeat = arg('repeat', 5);
const latency = arg('latency', 0);
const bin = fileURLToPath(new URL('../bin/migrate.js', import.meta.url));

const server = process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, stop: async () => {} } : await startEmbeddedServer();
const database = `bench_backfill_${process.pid}`;
const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
const url = new URL(server.url);
url.pathname = `/${database}`;
const connect = async () => {
  const client = new pg.Client({ connectionString: url.toString(), application_name: 'bench' });
  await client.connect();
  return client;
};
const db = await connect();
const proxy = latency > 0 ? await startLatencyProxy(server.url, latency) : undefined;
const runnerUrl = proxy === undefined ? url.toString() : proxy.through(url.toString());

/** The backfill every run makes: the migration's, the plain UPDATE's and the bare batches'. */
const spec = { table: 'items', set: 'v2 = v * 2' };
const dir = mkdtempSync(path.join(tmpdir(), 'phasegate-bench-backfill-'));
mkdirSync(path.join(dir, 'migrations'));
writeFileSync(
  path.join(dir, 'migrations', '1_backfill_v2.ts'),
  `import { defineMigration } from 'phasegate';\nexport default defineMigration({ backfill: { backfill: ${JSON.stringify(spec)} } });\n`,
);

const quantile = (values, q) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

/** A fresh table, checkpointed, so every scenario starts from the same pages and WAL state. */
async function prepare() {
  await db.query('DROP TABLE IF EXISTS items');
  await db.query('CREATE TABLE items (id bigint PRIMARY KEY, v int NOT NULL, payload text NOT NULL, v2 int)');
  await db.query(`INSERT INTO items (id, v, payload) SELECT i, i % 1000, md5(i::text) FROM generate_series(1, ${rows}) i`);
  await db.query('VACUUM ANALYZE items');
  await db.query('CHECKPOINT');
}

/** Writers doing single-row updates and inserts until stopped; each statement's latency is kept. */
function startWriters() {
  let running = true;
  let nextId = rows;
  const latencies = [];
  let errors = 0;
  const loop = async () => {
    const client = await connect();
    for (let op = 0; running; op += 1) {
      const started = performance.now();
      try {
        if (op % 4 === 3) await client.query('INSERT INTO items (id, v, payload) VALUES ($1, 1, $2)', [(nextId += 1), 'new']);
        else await client.query('UPDATE items SET v = v + 1 WHERE id = $1', [1 + Math.floor(Math.random() * rows)]);
      } catch {
        errors += 1;
      }
      latencies.push(performance.now() - started);
    }
    await client.end();
  };
  const loops = Array.from({ length: writerCount }, loop);
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return { latencies, errors };
    },
  };
}

/** `work` runs timed; `before` and `after` (not timed) ready what a deploy would find in place and clean up. */
async function measure(label, { before, work, after, again, settledBatchSize }, withWriters) {
  await prepare();
  await before?.();
  const writers = withWriters ? startWriters() : undefined;
  if (writers !== undefined) await new Promise((r) => setTimeout(r, 300)); // let them reach a steady state
  const { rows: lsn } = await db.query('SELECT pg_current_wal_lsn() AS lsn');
  const started = performance.now();
  const batches = await work();
  const ms = performance.now() - started;
  const { rows: wal } = await db.query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::bigint AS bytes', [lsn[0].lsn]);
  const load = writers === undefined ? undefined : await writers.stop();
  await after?.();
  const batchSize = await settledBatchSize?.();
  const floor = again === undefined || withWriters ? {} : await again();
  return { label, ms, rowsPerSecond: (rows / ms) * 1000, batches, walBytes: Number(wal[0].bytes), load, ...floor, batchSize };
}

/** The plain UPDATE, on a session of its own, opened before the clock starts; or (`onSetupSession`) on the session that loaded the table. */
const plainUpdate = (onSetupSession = false) => {
  let session = db;
  return {
    before: async () => {
      if (!onSetupSession) session = await connect();
    },
    work: async () => {
      await session.query(`UPDATE ${spec.table} SET ${spec.set}`);
      return [];
    },
    after: async () => {
      if (session !== db) await session.end();
    },
  };
};
let schemaCounter = 0;
/**
 * The runner's own statement for each batch (the UPDATE of a range of key
 * values with its checkpoint, under asynchronous commit), built by
 * its own code and sent from a session opened for them: no process, no
 * planning, no throttle checks. Batches are as many keys as the runner
 * settled on in the same round.
 */
const bareBatches = (batchRows) => {
  const schema = `bench_state_${(schemaCounter += 1)}`;
  const sql = buildBatchSql(spec, 'items', { columns: [{ name: 'id', type: 'bigint' }] });
  let session;
  let store;
  return {
    before: async () => {
      await ensureStateSchema(db, schema);
      session = await connect();
      store = new BackfillStore(session, schema);
      await store.start('bare', [String(rows)], rows, batchRows);
    },
    after: () => session.end(),
    work: async () => {
      await session.query('SET synchronous_commit = off');
      const batches = [];
      for (let last = 0; last < rows; last += batchRows) {
        const started = performance.now();
        const lastKey = [String(Math.min(rows, last + batchRows))];
        const update = { sql: sql.update(true), params: [...lastKey, String(last)] };
        await store.commitBatch('bare', update, { lastKey, rowsScanned: null, batchSize: batchRows, lastBatchMs: null, rowsPerSecond: null });
        batches.push(performance.now() - started);
      }
      return batches;
    },
  };
};
/**
 * `migrate advance` in its own process, timed from spawn to exit. Batch
 * durations come from its log: at debug level the runner logs every batch
 * with its duration, so nothing else queries the server while it runs.
 */
const backfill = () => {
  const schema = `bench_state_${(schemaCounter += 1)}`;
  let sizes = [];
  // A deploy's runner finds the state store installed (the first run on a database installs it once).
  return {
    before: () => ensureStateSchema(db, schema),
    work: async () => {
      const batches = await runAdvance(schema);
      sizes = batches.map((b) => b.batchSize);
      return batches.map((b) => b.lastBatchMs);
    },
    // The size adaptive sizing settled on (the median of the sizes it chose), for the bare batches of the same round.
    settledBatchSize: async () => quantile(sizes, 0.5),
    // The same command again, now with nothing to do: what the process costs whatever the table; and
    // node itself with nothing to run, the part of that floor no program can go below (and, where
    // NODE_EXTRA_CA_CERTS is set, node without it: Node parses the certificates it names at every start).
    again: async () => {
      const started = performance.now();
      await runAdvance(schema);
      const noOpMs = performance.now() - started;
      const nodeMs = await timeNodeStart(process.env);
      const { NODE_EXTRA_CA_CERTS: extraCerts, ...withoutCerts } = process.env;
      return { noOpMs, nodeMs, nodeWithoutCertsMs: extraCerts === undefined ? undefined : await timeNodeStart(withoutCerts) };
    },
  };
};
/** `node -e 0` in `env`, from spawn to exit. */
const timeNodeStart = async (env) => {
  const started = performance.now();
  const node = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore', env });
  await new Promise((resolve) => node.on('close', resolve));
  return performance.now() - started;
};
const runAdvance = async (schema) => {
  const child = spawn(process.execPath, [bin, 'advance', '--schema', schema], {
    cwd: dir,
    env: { ...process.env, DATABASE_URL: runnerUrl, PHASEGATE_LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`migrate advance exited ${code}:\n${output}`);
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .filter((line) => line.msg === 'backfill progress' && line.activity === 'running');
};

// Writers alone: what their latency is without any backfill.
await prepare();
const baselineWriters = startWriters();
await new Promise((r) => setTimeout(r, baselineSeconds * 1000));
const baseline = await baselineWriters.stop();

const rounds = [];
for (let round = 0; round < repeat; round += 1) {
  const plainIdle = await measure('plain UPDATE, idle', plainUpdate(), false);
  const advanceIdle = await measure('migrate advance (backfill, defaults), idle', backfill(), false);
  rounds.push([
    plainIdle,
    advanceIdle,
    await measure(`plain UPDATE, ${writerCount} writers`, plainUpdate(), true),
    await measure(`migrate advance (backfill, defaults), ${writerCount} writers`, backfill(), true),
    await measure(`the same batches with no runner (${advanceIdle.batchSize} keys each), idle`, bareBatches(advanceIdle.batchSize), false),
    await measure('plain UPDATE on the session that loaded the table, idle', plainUpdate(true), false),
  ]);
}
const median = (values) => quantile(values, 0.5);
/** Each run's round with the median time. */
const results = [0, 1, 2, 3, 4, 5].map((i) => {
  const runs = rounds.map((round) => round[i]).sort((a, b) => a.ms - b.ms);
  return runs[Math.floor(runs.length / 2)];
});
const ratios = {
  idle: rounds.map((round) => round[1].rowsPerSecond / round[0].rowsPerSecond),
  writers: rounds.map((round) => round[3].rowsPerSecond / round[2].rowsPerSecond),
  bare: rounds.map((round) => round[4].rowsPerSecond / round[0].rowsPerSecond),
  runner: rounds.map((round) => round[1].rowsPerSecond / round[4].rowsPerSecond),
  setupSession: rounds.map((round) => round[1].rowsPerSecond / round[5].rowsPerSecond),
};

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const mb = (bytes) => `${fmt(bytes / 1024 / 1024, 1)} MB`;
console.log(
  `rows: ${fmt(rows)}, writers: ${writerCount}, target batch: 100 ms, rounds: ${repeat}; migrate advance times its whole process, from spawn to exit${
    latency > 0 ? `, and reaches the server through a proxy holding each chunk ${latency} ms each way (${2 * latency} ms a round trip)` : ''
  }`,
);
console.log(`writers alone (${baselineSeconds}s, no backfill): ${fmt(baseline.latencies.length)} statements, p50 ${fmt(quantile(baseline.latencies, 0.5), 2)} ms, p99 ${fmt(quantile(baseline.latencies, 0.99), 2)} ms, max ${fmt(Math.max(...baseline.latencies), 1)} ms, errors ${baseline.errors}`);
console.log('');
console.log('| run (median round) | time | rows/s | × plain UPDATE | batches | batch p50 / p95 / max ms | WAL | writer p50 / p99 / max ms | writer stmts | writer errors |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [i, r] of results.entries()) {
  const base = i === 2 || i === 3 ? results[2].rowsPerSecond : results[0].rowsPerSecond;
  const batch = r.batches.length === 0 ? '–' : `${fmt(quantile(r.batches, 0.5), 1)} / ${fmt(quantile(r.batches, 0.95), 1)} / ${fmt(Math.max(...r.batches), 1)}`;
  const writers = r.load === undefined ? '–' : `${fmt(quantile(r.load.latencies, 0.5), 2)} / ${fmt(quantile(r.load.latencies, 0.99), 2)} / ${fmt(Math.max(...r.load.latencies), 1)}`;
  console.log(
    `| ${r.label} | ${fmt(r.ms / 1000, 2)} s | ${fmt(r.rowsPerSecond)} | ${fmt(r.rowsPerSecond / base, 2)} | ${r.batches.length || '–'} | ${batch} | ${mb(r.walBytes)} | ${writers} | ${r.load === undefined ? '–' : fmt(r.load.latencies.length)} | ${r.load?.errors ?? '–'} |`,
  );
}
console.log('');
const list = (values) => values.map((v) => fmt(v, 2)).join(', ');
const floor = rounds.map((round) => round[1].noOpMs / round[0].ms);
console.log(`process floor (the same advance again, with nothing to do), round by round: ${rounds.map((round) => `${fmt(round[1].noOpMs / 1000, 2)} s`).join(', ')}: ${list(floor.map((f) => f * 100))} % of the plain UPDATE's time (median ${fmt(median(floor) * 100, 1)} %); of which node itself (\`node -e 0\`): median ${fmt(median(rounds.map((round) => round[1].nodeMs)), 0)} ms, ${fmt(median(rounds.map((round) => round[1].nodeMs / round[0].ms)) * 100, 1)} %${
  process.env.NODE_EXTRA_CA_CERTS === undefined ? '' : `, ${fmt(median(rounds.map((round) => round[1].nodeWithoutCertsMs)), 0)} ms without NODE_EXTRA_CA_CERTS, which is set here (node parses the certificates it names at every start)`
}`);
console.log(`migrate advance / plain UPDATE rows/s, round by round: idle ${list(ratios.idle)} (median ${fmt(median(ratios.idle), 2)}x); under ${writerCount} writers ${list(ratios.writers)} (median ${fmt(median(ratios.writers), 2)}x); target >= 0.90x`);
console.log(`migrate advance / the plain UPDATE on the session that loaded the table, round by round: ${list(ratios.setupSession)} (median ${fmt(median(ratios.setupSession), 2)}x)`);
console.log(`the same batches with no runner / plain UPDATE (what batching costs PostgreSQL), round by round: ${list(ratios.bare)} (median ${fmt(median(ratios.bare), 2)}x); migrate advance / those batches (what the runner adds, its process included): ${list(ratios.runner)} (median ${fmt(median(ratios.runner), 2)}x)`);

await proxy?.stop();
await db.end();
await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
await admin.end();
await server.stop();

