import type pg from 'pg';
import { runCheckStatements, type AppCheck, type CheckFailure } from './app-check.js';

/** Limits that make every traffic loop stop by itself. */
export interface TrafficLimits {
  readonly connections: number;
  /** @default 600000 (10 minutes) */
  readonly maxMs?: number | undefined;
  /** Check runs per connection. @default 100000 */
  readonly maxIterations?: number | undefined;
}

/** What traffic saw while one step ran. */
export interface TrafficSample {
  readonly latenciesMs: number[];
  errors: number;
  readonly failures: Map<string, { failure: CheckFailure; count: number }>;
}

/**
 * Runs an app version's check in a loop on N connections, each run committed,
 * so its writes meet the steps and the backfill for real. `currentStep`
 * says which step is in flight; samples are kept per step.
 */
export class TrafficLoop {
  private stopped = false;
  private readonly loops: Promise<void>[];
  readonly samples = new Map<number, TrafficSample>();

  constructor(
    private readonly app: string,
    private readonly check: AppCheck,
    clients: readonly pg.Client[],
    private readonly currentStep: () => number,
    limits: TrafficLimits,
  ) {
    const deadline = Date.now() + (limits.maxMs ?? 600_000);
    const maxIterations = limits.maxIterations ?? 100_000;
    this.loops = clients.map((client) => this.loop(client, deadline, maxIterations));
  }

  private sample(step: number): TrafficSample {
    let sample = this.samples.get(step);
    if (sample === undefined) {
      sample = { latenciesMs: [], errors: 0, failures: new Map() };
      this.samples.set(step, sample);
    }
    return sample;
  }

  private async loop(client: pg.Client, deadline: number, maxIterations: number): Promise<void> {
    for (let i = 0; i < maxIterations && !this.stopped && Date.now() < deadline; i++) {
      const started = performance.now();
      let failure: CheckFailure | null;
      try {
        await client.query('BEGIN');
        failure = await runCheckStatements(client, this.app, this.check);
        await client.query(failure === null ? 'COMMIT' : 'ROLLBACK');
      } catch (error) {
        // The connection itself failed (server gone, killed): this loop is over.
        const sample = this.sample(this.currentStep());
        sample.errors++;
        sample.failures.set('connection', { failure: { statement: '(connection)', error: String(error), sqlState: null }, count: 1 });
        return;
      }
      const sample = this.sample(this.currentStep());
      sample.latenciesMs.push(performance.now() - started);
      if (failure !== null) {
        sample.errors++;
        const known = sample.failures.get(failure.statement);
        if (known === undefined) sample.failures.set(failure.statement, { failure, count: 1 });
        else known.count++;
      }
    }
  }

  /** Ends every loop after the check run in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }
}

/** Nearest-rank percentile of unsorted samples, rounded to 0.1 ms. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[rank] ?? 0) * 10) / 10;
}
