import type pg from 'pg';
import type { Queryable } from '../state/index.js';
import { runCheckOnce, type AppCheck, type CheckFailure } from './app-check.js';
import { ADVICE, type AppResult, type FailureClass, type RehearsalFailure, type SizeChange, type StepReport, type TrafficStats } from './report-model.js';
import { tableSizes, type TableBytes } from './table-sizes.js';
import { percentile, TrafficLoop, type TrafficLimits } from './traffic.js';
import type { Boundary, Timeline } from './window.js';

/** An app version ready to be checked: its loaded check, its window and its own session. */
export interface CheckedApp {
  readonly name: string;
  readonly check: AppCheck;
  readonly first: number;
  readonly last: number;
  readonly client: pg.Client;
}

/**
 * Everything observed at the boundaries of one rehearsal: app results,
 * table sizes, step timings, and the traffic that ran in between.
 */
export class Recorder {
  private readonly results = new Map<number, Record<string, AppResult>>();
  private readonly sizes = new Map<number, Map<string, TableBytes>>();
  private readonly stepRuns = new Map<number, { durationMs: number; rows: number | null }>();
  private readonly loops = new Map<string, TrafficLoop>();
  private readonly finishedLoops: { app: string; loop: TrafficLoop }[] = [];
  readonly failures: RehearsalFailure[] = [];
  private current = 0;

  constructor(
    private readonly db: Queryable,
    private readonly stateSchema: string,
    private readonly timeline: Timeline,
    private readonly apps: readonly CheckedApp[],
    private readonly traffic: { readonly limits: TrafficLimits; readonly open: (app: string) => Promise<pg.Client> } | undefined,
  ) {}

  /** Records a step's run, then checks every app whose window holds this boundary. */
  async stepDone(index: number, run: { durationMs: number; rows: number | null }): Promise<void> {
    this.stepRuns.set(index, run);
    await this.atBoundary(index);
  }

  /** Checks apps at a boundary, starting traffic where a window opens and ending it where one closes. */
  async atBoundary(index: number): Promise<void> {
    // Traffic while the checks run sees the schema after this step: file it under this step.
    this.current = index - 1;
    this.sizes.set(index, await tableSizes(this.db, this.stateSchema));
    const results: Record<string, AppResult> = {};
    for (const app of this.apps) {
      if (index < app.first || index > app.last) {
        results[app.name] = 'outside';
        continue;
      }
      const failure = await runCheckOnce(app.client, app.name, app.check);
      results[app.name] = failure === null ? 'works' : 'broken';
      if (failure !== null) this.failures.push(this.failure(app.name, index, failure, 'check', 1));
      if (this.traffic !== undefined && index === app.first && index < app.last) await this.startTraffic(app);
      if (index === app.last) await this.stopTraffic(app.name);
    }
    this.results.set(index, results);
    this.current = index;
  }

  private async startTraffic(app: CheckedApp): Promise<void> {
    const traffic = this.traffic;
    if (traffic === undefined) return;
    const clients = await Promise.all(Array.from({ length: traffic.limits.connections }, () => traffic.open(`phasegate-traffic-${app.name}`)));
    // Traffic during the step after boundary k is filed under step k + 1.
    this.loops.set(app.name, new TrafficLoop(app.name, app.check, clients, () => this.stepInFlight(), traffic.limits));
  }

  private async stopTraffic(app: string): Promise<void> {
    const loop = this.loops.get(app);
    if (loop === undefined) return;
    this.loops.delete(app);
    await loop.stop();
    this.finishedLoops.push({ app, loop });
  }

  /** Ends all traffic still running (the rehearsal stopped early or ended). */
  async stopAll(): Promise<void> {
    for (const app of [...this.loops.keys()]) await this.stopTraffic(app);
  }

  /** The step in flight as traffic files it (boundary k + 1 while step k + 1 runs). */
  stepInFlight(): number {
    return this.current + 1;
  }

  /** Results at the start boundary. */
  startResults(): Record<string, AppResult> {
    return this.results.get(0) ?? {};
  }

  /** The per-step report, and traffic failures folded into `failures`. Call once, after `stopAll`. */
  steps(lockWaitsMs: ReadonlyMap<number, number> = new Map()): StepReport[] {
    for (const { app, loop } of this.finishedLoops) {
      for (const [index, sample] of loop.samples) {
        for (const { failure, count } of sample.failures.values()) this.failures.push(this.failure(app, index, failure, 'traffic', count));
      }
    }
    const steps: StepReport[] = [];
    for (const boundary of this.timeline.boundaries) {
      const run = this.stepRuns.get(boundary.index);
      if (boundary.after === null || run === undefined) continue;
      const traffic: Record<string, TrafficStats> = {};
      let longest: number | null = null;
      for (const { app, loop } of this.finishedLoops) {
        const sample = loop.samples.get(boundary.index);
        if (sample === undefined) continue;
        const maxMs = percentile(sample.latenciesMs, 100);
        longest = Math.max(longest ?? 0, maxMs);
        traffic[app] = {
          queries: sample.latenciesMs.length,
          errors: sample.errors,
          p50Ms: percentile(sample.latenciesMs, 50),
          p95Ms: percentile(sample.latenciesMs, 95),
          p99Ms: percentile(sample.latenciesMs, 99),
          maxMs,
        };
      }
      steps.push({
        migration: boundary.after.migration,
        phase: boundary.after.phase,
        step: boundary.after.step,
        kind: boundary.after.kind,
        sql: boundary.after.sql,
        durationMs: Math.round(run.durationMs),
        rows: run.rows,
        longestTrafficWaitMs: longest,
        longestLockWaitMs: lockWaitsMs.get(boundary.index) ?? (longest === null ? null : 0),
        apps: this.results.get(boundary.index) ?? {},
        traffic,
        sizes: this.sizeChanges(boundary.index),
      });
    }
    return steps;
  }

  private sizeChanges(index: number): SizeChange[] {
    const before = this.sizes.get(index - 1) ?? new Map<string, TableBytes>();
    const after = this.sizes.get(index) ?? new Map<string, TableBytes>();
    const changes: SizeChange[] = [];
    for (const [table, now] of after) {
      const was = before.get(table) ?? { table: 0, indexes: 0 };
      if (was.table === now.table && was.indexes === now.indexes) continue;
      changes.push({ table, tableBytesBefore: was.table, tableBytesAfter: now.table, indexBytesBefore: was.indexes, indexBytesAfter: now.indexes });
    }
    return changes;
  }

  private failure(app: string, index: number, failure: CheckFailure, source: 'check' | 'traffic', count: number): RehearsalFailure {
    const after: Boundary['after'] = this.timeline.boundaries[index]?.after ?? null;
    const kind = classify(failure);
    return {
      app,
      migration: after?.migration ?? null,
      phase: after?.phase ?? null,
      step: after?.step ?? 0,
      statement: failure.statement,
      error: failure.error,
      class: kind,
      source,
      count,
      advice: ADVICE[kind],
    };
  }
}

function classify(failure: CheckFailure): FailureClass {
  if (/cached plan must not change result type/.test(failure.error)) return 'cachedPlan';
  return failure.sqlState === null && failure.error.startsWith('assertion failed') ? 'assertion' : 'error';
}
