import pino, { type Logger } from 'pino';
import { PhasegateError } from '../errors.js';
import type { ExecutionPolicy, HeartbeatOptions } from '../execute/index.js';
import { loadConfig, loadMigrations, type Config } from '../load/index.js';
import { Session } from '../pg/index.js';
import type { Migration } from '../plan/index.js';
import { redactSecrets } from './redact.js';

/** Flags every command accepts. */
export interface GlobalFlags {
  readonly databaseUrl?: string;
  readonly config?: string;
  readonly migrationsDir?: string;
  readonly schema?: string;
  readonly logLevel?: string;
}

export async function resolveConfig(flags: GlobalFlags): Promise<Config> {
  return loadConfig(process.cwd(), {
    configPath: flags.config,
    databaseUrl: flags.databaseUrl,
    migrationsDir: flags.migrationsDir,
    schema: flags.schema,
  }, process.env);
}

export async function resolveMigrations(config: Config): Promise<Migration[]> {
  return loadMigrations(config.migrationsDir);
}

/**
 * Logs go to stderr: JSON lines when stderr is not a terminal (CI), pretty
 * on a terminal. pino-pretty is loaded only then, to keep start-up short.
 */
export async function createLogger(flags: GlobalFlags): Promise<Logger> {
  const options = {
    level: flags.logLevel ?? process.env['PHASEGATE_LOG_LEVEL'] ?? 'info',
    redact: { paths: ['databaseUrl', 'connectionString', 'password', '*.password', '*.databaseUrl'], censor: '***' },
    formatters: { log: (object: Record<string, unknown>) => redactObject(object) },
  };
  if (process.stderr.isTTY === true) {
    const { default: pretty } = await import('pino-pretty');
    return pino(options, pretty({ destination: 2, ignore: 'pid,hostname' }));
  }
  return pino(options, pino.destination(2));
}

function redactObject(object: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(redactSecrets(JSON.stringify(object))) as Record<string, unknown>;
}

export function executionPolicy(config: Config): ExecutionPolicy {
  return {
    timeouts: config.timeouts,
    nonTransactionalTimeouts: config.nonTransactionalTimeouts,
    lockRetries: config.lockRetries,
    preflight: config.preflight,
    planCheck: config.planCheck,
    backfillBatchSize: config.backfillBatchSize,
    backfill: config.backfill,
    random: Math.random,
  };
}

/**
 * Opens the one session a command works on, bounded as the config says:
 * lock and statement timeouts from `timeouts`, idle limits, a connect
 * timeout, keepalive and a per-query deadline (see pg/session.ts).
 */
export async function connect(config: Config, applicationName = 'phasegate'): Promise<Session> {
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

/** The runner's heartbeat: its own small connection, beating at the configured interval. */
export function heartbeatFor(config: Config): HeartbeatOptions {
  return { open: () => connect(config, 'phasegate heartbeat'), intervalMs: config.connection.heartbeatIntervalMs };
}

/** Runs `work` with a connected session and always closes it. */
export async function withConnection<T>(config: Config, work: (session: Session) => Promise<T>): Promise<T> {
  const session = await connect(config);
  try {
    return await work(session);
  } finally {
    await session.end();
  }
}
