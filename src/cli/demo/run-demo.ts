import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import pg from 'pg';
import { advance, policyFromConfig, recordMarker, status, type AdvanceResult } from '../../execute/index.js';
import { loadConfig, loadMigrations } from '../../load/index.js';
import type { Phase } from '../../plan/index.js';
import { loadAppCheck, runCheckOnce } from '../../rehearse/index.js';
import { EXIT, EXIT_FOR_STOP } from '../exit-codes.js';
import { color, printLines } from '../output.js';
import { startEmbeddedServer } from './embedded-server.js';

const exampleDir = fileURLToPath(new URL('../../../migrations-example/', import.meta.url));

/**
 * The guided life cycle of migrations-example/: a throwaway PostgreSQL, the
 * example schema, then advance phase by phase with the CD pipeline's markers
 * in between, showing after each step which app versions still work.
 */
export async function runDemo(): Promise<void> {
  const say = (...lines: string[]): void => printLines(...lines);
  say(color.bold('phasegate demo: rename users.email to users.email_address (one ops.alterColumn), and add orders.status'), '');
  say('starting an embedded PostgreSQL (nothing to install)...');
  const server = await startEmbeddedServer();
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CREATE DATABASE phasegate_demo');
  await admin.end();
  const url = server.url.replace(/\/postgres$/, '/phasegate_demo');
  const client = new pg.Client({ connectionString: url, application_name: 'phasegate-demo' });
  const app = new pg.Client({ connectionString: url, application_name: 'demo-app' });
  try {
    await client.connect();
    await app.connect();
    await client.query(await readFile(path.join(exampleDir, 'schema.sql'), 'utf8'));
    say('loaded migrations-example/schema.sql: users (5,000 rows with email) and orders (20,000 rows)', '');

    const config = await loadConfig(exampleDir, { databaseUrl: url }, {});
    const migrations = await loadMigrations(config.migrationsDir, { defaults: config });
    const lastId = migrations[migrations.length - 1]?.id ?? '';
    const run = async (title: string, options: { phase?: Phase; now?: Date } = {}): Promise<AdvanceResult> => {
      say(color.bold(`$ migrate advance${options.phase === undefined ? '' : ` --to ${lastId}:${options.phase}`}`) + color.dim(`   # ${title}`));
      const result = await advance({
        db: client,
        schema: config.schema,
        migrations,
        policy: policyFromConfig(config),
        to: options.phase === undefined ? undefined : { migrationId: lastId, phase: options.phase },
        now: options.now,
      });
      for (const u of result.ran) say(`  ran ${u.migration} ${color.green(u.phase)} (${u.durationMs ?? 0} ms)`);
      const exitCode = result.stoppedAt === null ? EXIT.ok : EXIT_FOR_STOP[result.stoppedAt.reason];
      if (result.stoppedAt === null) say(`  done, exit ${exitCode}`);
      else say(`  ${color.yellow(`stopped at ${result.stoppedAt.migration} ${result.stoppedAt.phase}`)}: ${result.stoppedAt.detail}`, `  exit ${exitCode} (waiting on a gate: not a failure)`);
      await showApps();
      return result;
    };
    // The same checks `migrate rehearse` runs after every step, here between advances.
    const checks = { v1: await loadAppCheck(path.join(exampleDir, 'app', 'v1.sql')), v2: await loadAppCheck(path.join(exampleDir, 'app', 'v2.sql')) };
    const showApps = async (): Promise<void> => {
      for (const version of ['v1', 'v2'] as const) {
        const failure = await runCheckOnce(app, version, checks[version]);
        if (failure === null) say(`  app ${version}: ${color.green('works')}`);
        else say(`  app ${version}: ${color.red('broken')} (${failure.statement.replace(/\s+/g, ' ').slice(0, 60)}: ${failure.error})`);
      }
      say('');
    };

    say(color.bold('before any migration'));
    await showApps();
    await run('expand: additive DDL only, so v1 keeps working', { phase: 'expand' });
    await run('dualWrite: a generated trigger keeps email and email_address in sync', { phase: 'dualWrite' });
    await run('backfill: old rows in keyset batches, then verify', { phase: 'backfill' });
    await run('contract waits until api 2.x is deployed');
    say(color.bold('$ migrate mark --app api --version 2.0.0') + color.dim('   # the CD pipeline, after deploying api 2.0.0'));
    await recordMarker(client, config.schema, { kind: 'deploy', app: 'api', version: '2.0.0' }, 'demo');
    say('');
    await run('contract: email_address becomes NOT NULL (the safe way), the trigger goes');
    say(color.bold('$ migrate mark api-v1-retired') + color.dim('   # the pipeline, once no v1 instance runs'));
    await recordMarker(client, config.schema, { kind: 'marker', name: 'api-v1-retired' }, 'demo');
    say('');
    await run('drop still waits: its 24h soak has not passed');
    const later = new Date(Date.now() + 25 * 3_600_000);
    say(color.dim('(the demo moves its clock 25 hours ahead, as if the pipeline ran again tomorrow)'));
    await run('drop: state A goes away', { now: later });

    say(color.bold('$ migrate status'));
    for (const m of (await status(client, config.schema, migrations)).migrations) {
      say(`  ${m.id}`, ...m.phases.map((p) => `    ${p.phase.padEnd(10)} ${p.state}`));
    }
    say('', 'That is the whole life cycle: state A and state B coexisted until nothing needed A.');
  } finally {
    await app.end().catch(() => undefined);
    await client.end().catch(() => undefined);
    await server.stop();
  }
}
