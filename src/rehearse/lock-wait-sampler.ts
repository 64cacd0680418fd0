import type pg from 'pg';

/**
 * Polls pg_stat_activity on its own session for traffic sessions waiting on
 * a heavyweight lock, keeping the longest wait seen per step. Sampling every
 * `intervalMs` misses shorter waits; traffic latency covers those.
 */
export class LockWaitSampler {
  private stopped = false;
  private readonly loop: Promise<void>;
  readonly longestMs = new Map<number, number>();

  constructor(client: pg.Client, currentStep: () => number, intervalMs = 50) {
    this.loop = (async () => {
      while (!this.stopped) {
        const step = currentStep();
        const { rows } = await client.query<{ ms: number | null }>(
          `SELECT max(extract(epoch FROM clock_timestamp() - query_start) * 1000)::float8 AS ms
             FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'
              AND application_name LIKE 'phasegate-traffic-%'`,
        ).catch(() => ({ rows: [] as { ms: number | null }[] }));
        const ms = rows[0]?.ms ?? null;
        if (ms !== null) this.longestMs.set(step, Math.max(this.longestMs.get(step) ?? 0, Math.round(ms)));
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    })();
  }

  /** Ends the polling loop after the sample in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}
