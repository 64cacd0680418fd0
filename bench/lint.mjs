// Times analyzeSqlFile over a large generated SQL file.
// Build first: npx tsc -p tsconfig.build.json && node bench/lint.mjs [statements] [runs]
import { performance } from 'node:perf_hooks';
import { analyzeSqlFile } from '../dist/analysis/index.js';

const statementCount = Number(process.argv[2] ?? 20_000);
const runs = Number(process.argv[3] ?? 5);

// A realistic mix: DDL that fires rules, safe look-alikes, DML, comments,
// string literals with semicolons, dollar-quoted bodies and suppressions.
const templates = [
  (i) => `CREATE INDEX CONCURRENTLY idx_${i} ON users_${i % 50} (col_${i});`,
  (i) => `CREATE INDEX idx_plain_${i} ON orders_${i % 50} (created_at);`,
  (i) => `ALTER TABLE users_${i % 50} ADD COLUMN c_${i} timestamptz DEFAULT now();`,
  (i) => `ALTER TABLE users_${i % 50} ADD COLUMN u_${i} uuid DEFAULT gen_random_uuid();`,
  (i) => `ALTER TABLE orders_${i % 50} ADD CONSTRAINT fk_${i} FOREIGN KEY (user_id) REFERENCES users_${i % 50} (id) NOT VALID;`,
  (i) => `ALTER TABLE orders_${i % 50} VALIDATE CONSTRAINT fk_${i};`,
  (i) => `UPDATE users_${i % 50} SET status = 'active; really' WHERE id BETWEEN ${i} AND ${i + 1000};`,
  (i) => `-- CREATE INDEX in a comment ${i}\nSELECT count(*) FROM users_${i % 50} u JOIN orders_${i % 50} o ON o.user_id = u.id WHERE u.id > ${i};`,
  (i) => `CREATE TABLE t_${i} (id bigint PRIMARY KEY, user_id int REFERENCES users_${i % 50} (id), note text DEFAULT 'x;y');`,
  (i) => `CREATE INDEX t_${i}_user ON t_${i} (user_id);`,
  (i) => `-- phasegate:allow non-concurrent-index measured on a copy: 40 ms\nCREATE INDEX small_${i} ON lookups (code);`,
  (i) => `CREATE OR REPLACE FUNCTION f_${i}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.a := NEW.b; RETURN NEW; END; $$;`,
  (i) => `ALTER TABLE users_${i % 50} ALTER COLUMN name_${i} TYPE varchar(200);`,
  (i) => `INSERT INTO audit (id, at, payload) VALUES (${i}, now(), '{"k": ${i}}'::jsonb);`,
];

const lines = [];
for (let i = 0; i < statementCount; i++) lines.push(templates[i % templates.length](i));
const sql = lines.join('\n');

// Warm up: loads the WASM parser and JITs the analysis.
await analyzeSqlFile(templates.map((t, i) => t(i)).join('\n'), { phase: 'expand', pgVersion: 16 });

const timings = [];
let result;
for (let r = 0; r < runs; r++) {
  const start = performance.now();
  result = await analyzeSqlFile(sql, { phase: 'expand', pgVersion: 16, file: 'bench.sql' });
  timings.push(performance.now() - start);
}
timings.sort((a, b) => a - b);
const median = timings[Math.floor(timings.length / 2)];

console.table([
  {
    statements: result.statements.length,
    findings: result.findings.length,
    'input MB': Number((Buffer.byteLength(sql) / 1024 / 1024).toFixed(2)),
    runs,
    'median ms': Number(median.toFixed(1)),
    'statements/s': Math.round(result.statements.length / (median / 1000)),
  },
]);
