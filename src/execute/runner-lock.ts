import type { RunnerSession } from '../pg/index.js';
import {
  acquireRunnerLock,
  ensureStateSchema,
  readRunnerBeat,
  recordRunner,
  releaseRunnerLock,
  runnerLockHolder,
  startHeartbeat,
  type Heartbeat,
  type HeartbeatConnection,
  type LockHolder,
  type Queryable,
  type RunnerBeat,
} from '../state/index.js';

/** Where the runner beats while it holds the lock. */
export interface HeartbeatOptions {
  /** Opens the second connection the beats go through. */
  readonly open: () => Promise<HeartbeatConnection>;
  readonly intervalMs: number;
}

/**
 * The lock, held. `startBeating` records the runner and starts its
 * heartbeat, once, when there is work to watch: a runner with nothing to
 * run writes nothing and spares a round trip. `release` stops the heartbeat
 * and lets the lock go.
 */
export interface RunnerHold {
  readonly kind: 'held';
  startBeating(): Promise<void>;
  release(): Promise<void>;
}

/** Another session holds the lock; `detail` names it and how to end it. */
export interface RunnerLocked {
  readonly kind: 'locked';
  readonly detail: string;
}

/**
 * Runs a short operator command (rollback, reapply, forget) as the runner:
 * the lock taken at once, the state schema installed, no heartbeat.
 */
export async function withRunnerLock<T>(db: RunnerSession, schema: string, work: () => Promise<T>): Promise<T | RunnerLocked> {
  const hold = await holdRunnerLock(db, schema, 0, undefined);
  if (hold.kind === 'locked') return hold;
  try {
    return await work();
  } finally {
    await hold.release();
  }
}

/**
 * Takes the runner lock (waiting up to `waitMs`) and installs or upgrades
 * the state schema under it. If that fails, the lock is given back before
 * the error is thrown.
 */
export async function holdRunnerLock(
  db: RunnerSession,
  schema: string,
  waitMs: number,
  heartbeat: HeartbeatOptions | undefined,
): Promise<RunnerHold | RunnerLocked> {
  if (!(await acquireRunnerLock(db, schema, waitMs))) {
    const holder = await runnerLockHolder(db, schema);
    const beat = await readRunnerBeat(db, schema);
    return { kind: 'locked', detail: `another runner holds the lock on this database: ${holder === undefined ? 'it has just let go; run advance again' : describeLockHolder(holder, beat)}` };
  }
  try {
    await ensureStateSchema(db, schema);
  } catch (error) {
    await releaseRunnerLock(db, schema, false).catch(() => undefined);
    throw error;
  }
  let beats: Heartbeat | undefined;
  return {
    kind: 'held',
    async startBeating() {
      if (heartbeat === undefined || beats !== undefined) return;
      const backendPid = await recordRunner(db, schema, heartbeat.intervalMs);
      beats = startHeartbeat(heartbeat.open, schema, backendPid, heartbeat.intervalMs);
    },
    async release() {
      // The heartbeat's connection closes while the lock is let go (a beat still in flight then updates no row).
      await Promise.all([
        beats?.stop().catch(() => undefined),
        // Without its row when the runner table cannot be written (the lock matters more).
        releaseRunnerLock(db, schema, beats !== undefined)
          .catch(() => releaseRunnerLock(db, schema, false))
          .catch(() => undefined),
      ]);
    },
  };
}

/** The lock holder and its heartbeat, as `status` shows them. */
export interface RunnerStatus {
  readonly pid: number;
  readonly applicationName: string;
  readonly clientAddress: string | null;
  readonly connectedAt: string;
  readonly state: string;
  readonly query: string;
  readonly lastBeatAt: string | null;
  readonly stalledSince: string | null;
}

/** Who holds the runner lock now, with its heartbeat when it is the recorded runner. Reads only. */
export async function readRunnerStatus(db: Queryable, schema: string, beat: RunnerBeat | undefined): Promise<RunnerStatus | null> {
  const holder = await runnerLockHolder(db, schema);
  if (holder === undefined) return null;
  const own = beat?.backendPid === holder.pid ? beat : undefined;
  return {
    pid: holder.pid,
    applicationName: holder.applicationName,
    clientAddress: holder.clientAddress,
    connectedAt: holder.connectedAt.toISOString(),
    state: holder.state,
    query: holder.query,
    lastBeatAt: own?.beatAt.toISOString() ?? null,
    stalledSince: own?.stalledSince?.toISOString() ?? null,
  };
}

/** "pid 4242 (application_name "phasegate", client 10.0.0.7, connected 2026-...), idle: SELECT ...; stalled since ...; if it is stuck: SELECT pg_terminate_backend(4242)" */
export function describeLockHolder(holder: LockHolder, beat: RunnerBeat | undefined): string {
  const own = beat?.backendPid === holder.pid ? beat : undefined;
  const client = holder.clientAddress === null ? 'local socket' : `client ${holder.clientAddress}`;
  const life =
    own === undefined ? 'no heartbeat recorded' : own.stalledSince === null ? `last heartbeat ${own.beatAt.toISOString()}` : `stalled since ${own.stalledSince.toISOString()} (its runner stopped beating)`;
  return (
    `pid ${holder.pid} (application_name "${holder.applicationName}", ${client}, connected ${holder.connectedAt.toISOString()}), ` +
    `${holder.state}: ${holder.query.replace(/\s+/g, ' ')}; ${life}; if it is stuck, end it with SELECT pg_terminate_backend(${holder.pid})`
  );
}
