import pg from 'pg';
import { PhasegateError } from '../errors.js';
import type { Queryable } from './queryable.js';
import type { ExtendedQuery } from './read-only.js';

/**
 * The handle the runner works on: one connection. Only a single connection
 * has a transaction status; a pool sends each query to whichever connection
 * is free, so BEGIN, COMMIT and the session lock would not share one.
 */
export interface RunnerSession extends Queryable {
  getTransactionStatus(): 'I' | 'T' | 'E' | null;
}

/** How a session connects and what it sets up; every duration in milliseconds. */
export interface SessionSettings {
  readonly connectionString: string;
  /** Shown in pg_stat_activity, so a DBA can tell the runner from the application. */
  readonly applicationName: string;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly idleInTransactionTimeoutMs: number;
  /** 0 leaves the server's default (PostgreSQL 14 and later only). */
  readonly idleSessionTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Idle time before TCP keepalive probes start, so a vanished server is noticed. */
  readonly keepAliveIdleMs: number;
  /** How long past the statement timeout in force the client waits for an answer. */
  readonly answerMarginMs: number;
}

/** The deadline pg enforces per query and the protocol to use; its typings omit both fields. */
interface TimedQuery extends pg.QueryConfig<unknown[]> {
  readonly query_timeout: number;
  readonly queryMode?: 'extended';
}

const READ_TIMEOUT = 'Query read timeout';

/**
 * A dedicated connection with every statement bounded: server-side by
 * lock_timeout and statement_timeout set at connect, client-side by a
 * deadline a little above the statement timeout in force, so a server that
 * stops answering ends the command instead of hanging it.
 */
export class Session implements RunnerSession {
  readonly #client: pg.Client;
  readonly #settings: SessionSettings;
  #statementTimeoutMs: number;
  #localStatementTimeoutMs: number | undefined;
  #broken = false;

  private constructor(client: pg.Client, settings: SessionSettings) {
    this.#client = client;
    this.#settings = settings;
    this.#statementTimeoutMs = settings.statementTimeoutMs;
  }

  /** Connects, or throws CONNECTION_FAILED saying the server did not answer or refused. */
  static async open(settings: SessionSettings): Promise<Session> {
    // Timeouts go in the startup packet: they bind from the first statement on, at no extra round trip.
    const client = new pg.Client({
      connectionString: settings.connectionString,
      application_name: settings.applicationName,
      lock_timeout: settings.lockTimeoutMs,
      statement_timeout: settings.statementTimeoutMs,
      idle_in_transaction_session_timeout: settings.idleInTransactionTimeoutMs,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: settings.keepAliveIdleMs,
    });
    client.on('error', () => undefined);
    const where = `${client.host}:${client.port}`;
    try {
      await client.connect();
    } catch (error) {
      const silent = error instanceof Error && /timeout/i.test(error.message);
      throw new PhasegateError(
        'CONNECTION_FAILED',
        silent ? notAnswering(where, settings.connectTimeoutMs) : `cannot connect to the database: ${(error as Error).message}`,
        { hint: 'check the URL (host, port, database, user) and that the server is running and accepting connections', cause: error },
      );
    }
    const session = new Session(client, settings);
    if (settings.idleSessionTimeoutMs > 0) {
      // Not a startup parameter: servers before 14 would refuse the connection over it.
      await session.query(
        `SELECT set_config('idle_session_timeout', $1, false) WHERE current_setting('server_version_num')::int >= 140000`,
        [`${settings.idleSessionTimeoutMs}ms`],
      );
    }
    return session;
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: readonly unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(query: ExtendedQuery): Promise<{ rows: R[]; rowCount: number | null }>;
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    textOrQuery: string | ExtendedQuery,
    values?: readonly unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }> {
    const deadlineMs = (this.#localStatementTimeoutMs ?? this.#statementTimeoutMs) + this.#settings.answerMarginMs;
    const text = typeof textOrQuery === 'string' ? textOrQuery : textOrQuery.text;
    const config: TimedQuery =
      typeof textOrQuery === 'string'
        ? { text, values: values === undefined ? [] : [...values], query_timeout: deadlineMs }
        : { text, values: [...textOrQuery.values], queryMode: textOrQuery.queryMode, name: textOrQuery.name, query_timeout: deadlineMs };
    try {
      return await this.#client.query<R>(config);
    } catch (error) {
      if (!(error instanceof Error) || error.message !== READ_TIMEOUT) throw error;
      // The answer may still come and would be read as the next query's: this connection is done.
      this.#broken = true;
      this.#client.connection.stream.destroy();
      throw new PhasegateError('CONNECTION_FAILED', notAnswering(`${this.#client.host}:${this.#client.port}`, deadlineMs), {
        hint: 'nothing of the statement in flight is known to have committed; check the server, then run the command again',
        cause: error,
      });
    } finally {
      if (text === 'COMMIT' || text === 'ROLLBACK') this.#localStatementTimeoutMs = undefined;
    }
  }

  getTransactionStatus(): 'I' | 'T' | 'E' | null {
    return this.#client.getTransactionStatus();
  }

  /** Whether its startup packet set a lock and a statement timeout (0 would mean none). */
  get boundAtStartup(): boolean {
    return this.#settings.lockTimeoutMs > 0 && this.#settings.statementTimeoutMs > 0;
  }

  /** The session-level statement timeout in force, as phasegate last set it. */
  get statementTimeoutMs(): number {
    return this.#statementTimeoutMs;
  }

  /** Keeps the client-side deadline above a statement timeout just set (`local`: until the transaction ends). */
  noteStatementTimeout(ms: number, local: boolean): void {
    if (local) this.#localStatementTimeoutMs = ms;
    else this.#statementTimeoutMs = ms;
  }

  async end(): Promise<void> {
    if (this.#broken) return;
    await this.#client.end().catch(() => undefined);
  }
}

function notAnswering(where: string, ms: number): string {
  return `the server at ${where} did not answer in ${Number((ms / 1000).toFixed(1))}s`;
}
