import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import type { Logger } from 'pino';
import { PhasegateError } from '../errors.js';
import { advance, type ExecutionPolicy } from '../execute/index.js';
import { compareIds, orderUnits, unitName, type Migration, type Unit } from '../plan/index.js';
import { StateStore } from '../state/index.js';
import { loadAppCheck, type AppCheck, type CheckFunction } from './app-check.js';
import { readTarget, type TargetFacts } from './read-target.js';
import { Recorder, type CheckedApp } from './recorder.js';
import type { GateStop, RehearsalReport } from './report-model.js';
import { createScratchDatabase } from './scratch-database.js';
import type { TrafficLimits } from './traffic.js';
import { runFinalVerify } from './final-verify.js';
import { seedEmptyTables } from './seed-rows.js';
import { LockWaitSampler } from './lock-wait-sampler.js';
import { buildTimeline, windowRange, type WindowEnd, type WindowStart } from './window.js';

/** An app version and the window in which it must work. */
export interface AppVersion {
  /** Named in reports ("old", "new", or the config's name). */
  readonly name: string;
  /** A .sql / .ts / .js file, or a function of a client that throws on a wrong result. */
  readonly check: string | CheckFunction;
  /** @default 'start' */
  readonly from?: WindowStart | undefined;
  /** @default 'end' */
  readonly until?: WindowEnd | undefined;
}

export interface RehearseOptions {
  /** Every migration of the project, in id order. */
  readonly migrations: readonly Migration[];
  /** Migrations to rehearse; default: those not fully done in the target (all without a target). */
  readonly ids?: readonly string[] | undefined;
  /** A server on which a scratch database is created and dropped; never the target's database. */
  readonly scratchServerUrl: string;
  /** The real database: only read (done units, server version), never written. */
  readonly targetUrl?: string | undefined;
  /** Schema of the state store (in the scratch database). */
  readonly schema: string;
  readonly policy: ExecutionPolicy;
  /** SQL files run first, in order (schema dump, seed). */
  readonly setup?: readonly string[] | undefined;
  /** SQL text run right after the setup files (a schema read from the target). */
  readonly setupSql?: string | undefined;
  readonly apps: readonly AppVersion[];
  /** Generate this many rows in every table the setup leaves empty. */
  readonly rows?: number | undefined;
  /** Run each app's check in committed loops on N connections through its window. */
  readonly traffic?: TrafficLimits | undefined;
  /** Aborting stops after the step in flight; the scratch database is still dropped. */
  readonly signal?: AbortSignal | undefined;
  readonly logger?: Logger | undefined;
  /** Called at each boundary once its checks ran (for progress output). */
  readonly onBoundary?: ((index: number, total: number) => void) | undefined;
}

/**
 * Rehearses migrations on a scratch database with the real engine: setup,
 * the starting state, then the rehearsed units one step at a time with
 * every gate open, checking each app version at every step boundary of its
 * window. The scratch database is dropped on every way out.
 */
export async function rehearse(options: RehearseOptions): Promise<RehearsalReport> {
  const started = performance.now();
  const target = options.targetUrl === undefined ? null : await readTarget(options.targetUrl, options.schema);
  const rehearsed = selectRehearsed(options.migrations, options.ids, target);
  const checks = await Promise.all(options.apps.map(async (app) => ({ app, check: await loadCheck(app) })));
  const scratch = await createScratchDatabase(options.scratchServerUrl);
  options.logger?.info({ database: scratch.name }, 'scratch database created');
  const sessions: pg.Client[] = [];
  const open = async (name: string): Promise<pg.Client> => {
    const client = await scratch.connect(name);
    sessions.push(client);
    return client;
  };
  let recorder: Recorder | undefined;
  let sampler: LockWaitSampler | undefined;
  try {
    const runner = await open('phasegate-rehearse');
    await runSetup(runner, options);
    if (options.rows !== undefined && options.rows > 0) await seedEmptyTables(runner, options.schema, options.rows);
    const starting = (u: Unit): boolean =>
      target === null ? !rehearsed.has(u.migrationId) && [...rehearsed].every((id) => compareIds(u.migrationId, id) < 0) : target.doneUnits.has(unitName(u));
    const base = { db: runner, schema: options.schema, migrations: options.migrations, policy: options.policy, logger: options.logger };
    const setup = await advance({ ...base, decideUnit: (u) => (starting(u) ? 'run' : 'skip') });
    if (setup.stoppedAt !== null) {
      throw new PhasegateError('STEP_FAILED', `the starting state could not be built: ${setup.stoppedAt.detail}`, {
        hint: 'the setup files and the migrations done so far must apply cleanly to an empty database',
      });
    }
    const done = new Set((await new StateStore(runner, options.schema).units()).filter((r) => r.state === 'done').map(unitName));
    const units = orderUnits(options.migrations).filter((u) => rehearsed.has(u.migrationId) && !done.has(unitName(u)));
    const timeline = buildTimeline(units);
    const apps: CheckedApp[] = [];
    for (const { app, check } of checks) {
      const range = windowRange(timeline, app.from ?? 'start', app.until ?? 'end');
      const client = await open(`phasegate-rehearse-${app.name}`);
      // A check that hangs on a lock must not hang the rehearsal.
      await client.query(`SET statement_timeout = '60s'`);
      apps.push({ name: app.name, check, first: range.first, last: range.last, client });
    }
    const traffic = options.traffic === undefined || options.traffic.connections <= 0 ? undefined : { limits: options.traffic, open };
    recorder = new Recorder(runner, options.schema, timeline, apps, traffic);
    sampler = traffic === undefined ? undefined : new LockWaitSampler(await open('phasegate-rehearse-monitor'), () => recorder?.stepInFlight() ?? 0);
    const total = timeline.boundaries.length;
    await recorder.atBoundary(0);
    options.onBoundary?.(0, total);
    const gates: GateStop[] = [];
    const result = await advance({
      ...base,
      signal: options.signal,
      decideUnit: (u, missing) => {
        if (!rehearsed.has(u.migrationId)) return 'skip';
        if (missing !== undefined) gates.push({ migration: u.migrationId, phase: u.phase, waitsFor: missing });
        return 'run';
      },
      onStepDone: async (step) => {
        const index = timeline.indexOf.get(`${step.unit.migrationId}:${step.unit.phase}:${step.stepIndex}`) ?? 0;
        await recorder?.stepDone(index, { durationMs: step.durationMs, rows: step.rows });
        options.onBoundary?.(index, total);
        if (options.signal?.aborted === true) throw new PhasegateError('STEP_FAILED', 'interrupted');
      },
    });
    await recorder.stopAll();
    await sampler?.stop();
    const steps = recorder.steps(sampler?.longestMs);
    const failures = [...recorder.failures];
    if (result.stoppedAt === null) failures.push(...(await runFinalVerify(runner, units)));
    const stopped = result.stoppedAt === null ? null : { migration: result.stoppedAt.migration, phase: result.stoppedAt.phase, detail: result.stoppedAt.detail };
    const { rows: version } = await runner.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
    return {
      ok: failures.length === 0 && stopped === null,
      failures,
      steps,
      start: recorder.startResults(),
      apps: options.apps.map((a) => ({ name: a.name, source: typeof a.check === 'string' ? a.check : '(function)', from: a.from ?? 'start', until: a.until ?? 'end' })),
      gates,
      migrations: [...rehearsed],
      stopped,
      serverVersion: version[0]?.v ?? 'unknown',
      trafficConnections: traffic?.limits.connections ?? 0,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await recorder?.stopAll().catch(() => undefined);
    await sampler?.stop();
    await Promise.all(sessions.map((c) => c.end().catch(() => undefined)));
    await scratch.drop();
    options.logger?.info({ database: scratch.name }, 'scratch database dropped');
  }
}

function selectRehearsed(migrations: readonly Migration[], ids: readonly string[] | undefined, target: TargetFacts | null): Set<string> {
  if (ids !== undefined && ids.length > 0) {
    const known = new Set(migrations.map((m) => m.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new PhasegateError('USAGE', `no such migration: ${unknown.join(', ')}`, { hint: '`migrate status` lists the migration ids' });
    }
    return new Set(ids);
  }
  if (target === null) return new Set(migrations.map((m) => m.id));
  return new Set(migrations.filter((m) => m.units.some((u) => !target.doneUnits.has(unitName(u)))).map((m) => m.id));
}

async function loadCheck(app: AppVersion): Promise<AppCheck> {
  if (!/^[a-z][a-z0-9_]{0,30}$/i.test(app.name)) {
    throw new PhasegateError('USAGE', `app version name "${app.name}" must be a short identifier (letters, digits, _)`, {
      hint: 'name app versions like old, new, api_v3',
    });
  }
  return typeof app.check === 'string' ? loadAppCheck(app.check) : { kind: 'function', source: '(function)', run: app.check };
}

async function runSetup(runner: pg.Client, options: RehearseOptions): Promise<void> {
  const texts: { from: string; sql: string }[] = [];
  for (const file of options.setup ?? []) {
    try {
      texts.push({ from: file, sql: await readFile(file, 'utf8') });
    } catch (error) {
      throw new PhasegateError('USAGE', `setup file ${file} cannot be read: ${(error as Error).message}`, { hint: 'pass an existing SQL file to --setup', cause: error });
    }
  }
  if (options.setupSql !== undefined) texts.push({ from: 'the target schema', sql: options.setupSql });
  for (const { from, sql } of texts) {
    try {
      await runner.query(sql);
      // A dump sets search_path to '' for its own session; the migrations expect the default.
      await runner.query('RESET ALL');
    } catch (error) {
      throw new PhasegateError('USAGE', `setup ${from} failed on the scratch database: ${(error as Error).message}`, {
        hint: 'the setup must run on an empty database: a schema dump and seed statements',
        cause: error,
      });
    }
  }
}
