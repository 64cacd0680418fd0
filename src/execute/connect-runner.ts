import { PhasegateError } from '../errors.js';
import type { Timeouts } from '../plan/index.js';
import { Session } from '../pg/index.js';
import { redactSecrets } from '../secrets.js';

/** What opening a runner session needs from a config (a loaded `Config` is one). */
export interface RunnerConnectionSettings {
  readonly databaseUrl: string | undefined;
  /** The session's default lock and statement timeouts. */
  readonly timeouts: Timeouts;
  readonly connection: {
    readonly connectTimeoutMs: number;
    readonly keepAliveIdleMs: number;
    readonly answerMarginMs: number;
    readonly idleInTransactionTimeoutMs: number;
    readonly idleSessionTimeoutMs: number;
  };
}

/**
 * Opens the one bounded session a runner works on (see pg/session.ts):
 * lock and statement timeouts from `timeouts`, idle limits, a connect
 * timeout, keepalive and a per-query deadline. Close it with `end()`.
 *
 * @example
 * const db = await connectRunner(await loadConfig(process.cwd(), {}, process.env));
 */
export async function connectRunner(config: RunnerConnectionSettings, applicationName = 'phasegate'): Promise<Session> {
  if (config.databaseUrl === undefined) {
    throw new PhasegateError('INVALID_CONFIG', 'no database to connect to', {
      hint: 'pass --database-url, set DATABASE_URL, or set databaseUrl in phasegate.config.ts',
    });
  }
  const c = config.connection;
  try {
    return await Session.open({
      connectionString: config.databaseUrl,
      applicationName,
      lockTimeoutMs: config.timeouts.lockTimeoutMs,
      statementTimeoutMs: config.timeouts.statementTimeoutMs,
      idleInTransactionTimeoutMs: c.idleInTransactionTimeoutMs,
      idleSessionTimeoutMs: c.idleSessionTimeoutMs,
      connectTimeoutMs: c.connectTimeoutMs,
      keepAliveIdleMs: c.keepAliveIdleMs,
      answerMarginMs: c.answerMarginMs,
    });
  } catch (error) {
    // pg's own connect errors may quote the URL.
    if (error instanceof Error) error.message = redactSecrets(error.message);
    throw error;
  }
}
