// Recall and false alarms of the analysis on the hand-written blind-spot cases
// (test/analysis/blind-spot-cases.ts: hazards that must fire, safe look-alikes that must not).
// Build first: npm run build && node bench/lint-recall.mjs [dist directory, default ./dist]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createJiti } from 'jiti';

const jiti = createJiti(import.meta.url);
const { UNSAFE, SAFE } = await jiti.import('../test/analysis/blind-spot-cases.ts');
const dist = path.resolve(process.argv[2] ?? 'dist');
const { analyzeMigration, analyzeSqlFile } = await import(pathToFileURL(path.join(dist, 'analysis/index.js')).href);

async function findings(c) {
  const o = c.opts ?? {};
  const phase = o.phase ?? 'expand';
  const pgVersion = o.pgVersion ?? 16;
  if (o.file) return (await analyzeSqlFile(c.sql, { phase, pgVersion })).findings;
  const main = { sql: c.sql, transactional: o.transactional ?? false };
  const earlier = o.before === undefined ? [] : [{ sql: o.before, transactional: false }];
  const phases =
    phase === 'expand' ? [{ phase, steps: [...earlier, main] }] : [...(earlier.length > 0 ? [{ phase: 'expand', steps: earlier }] : []), { phase, steps: [main] }];
  const catalog = o.catalog === undefined ? {} : { catalogColumns: new Map(Object.entries(o.catalog)), columnTypes: new Map(Object.entries(o.catalog).map(([k, v]) => [k, v.type])) };
  const result = await analyzeMigration({ migration: 'case', pgVersion, phases, ...catalog, ...(o.sessionTimeZone === undefined ? {} : { sessionTimeZone: o.sessionTimeZone }) });
  const step = phase === 'expand' && o.before !== undefined ? 1 : 0;
  return result.findings.filter((f) => f.phase === phase && f.step === step);
}

const rows = new Map();
const row = (item) => rows.get(item) ?? rows.set(item, { item, hazards: 0, caught: 0, safe: 0, falseAlarms: 0 }).get(item);
for (const c of UNSAFE) {
  const r = row(c.item);
  r.hazards++;
  if ((await findings(c)).some((f) => f.rule === c.rule)) r.caught++;
}
for (const c of SAFE) {
  const r = row(c.item);
  r.safe++;
  if ((await findings(c)).some((f) => f.rule === c.rule && f.severity !== 'info')) r.falseAlarms++;
}
const all = [...rows.values()].sort((a, b) => Number(a.item) - Number(b.item));
const total = all.reduce((t, r) => ({ item: 'all', hazards: t.hazards + r.hazards, caught: t.caught + r.caught, safe: t.safe + r.safe, falseAlarms: t.falseAlarms + r.falseAlarms }), { hazards: 0, caught: 0, safe: 0, falseAlarms: 0 });
const pct = (a, b) => `${b === 0 ? 0 : Math.round((100 * a) / b)} %`;
console.table([...all, total].map((r) => ({ 'issue item': r.item, hazards: r.hazards, caught: r.caught, recall: pct(r.caught, r.hazards), 'safe look-alikes': r.safe, 'false alarms': r.falseAlarms, 'false-alarm rate': pct(r.falseAlarms, r.safe) })));
