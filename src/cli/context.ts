import pg from 'pg';
import pino, { type Logger } from 'pino';
import { PhasegateError } from '../errors.js';
import { explainServerError, type ExecutionPolicy } from '../execute/index.js';
import { loadConfig, loadMigrations, type Config, type LoadOptions } from '../load/index.js';
import { parseDuration, type Migration } from '../plan/index.js';
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
  return loadMigrations(config.migrationsDir, loadOptions());
}

/** How long one migration file may take to load: `PHASEGATE_LOAD_TIMEOUT` (e.g. "30s"), else the loader's default. */
export function loadOptions(): LoadOptions {
  const text = process.env['PHASEGATE_LOAD_TIMEOUT'];
  if (text === undefined) return {};
  const timeLimitMs = parseDuration(text);
  if (timeLimitMs === undefined || timeLimitMs <= 0) {
    throw new PhasegateError('INVALID_CONFIG', `PHASEGATE_LOAD_TIMEOUT=${text}: expected a duration such as 10s`, { hint: 'e.g. PHASEGATE_LOAD_TIMEOUT=30s' });
  }
  return { timeLimitMs };
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
 * Opens the one session a command works on. Its application_name lets DBAs
 * see the runner in pg_stat_activity; the idle-in-transaction timeout makes
 * sure a runner stuck between statements never holds locks for long.
 */
export async function connect(config: Config): Promise<pg.Client> {
  if (config.databaseUrl === undefined) {
    throw new PhasegateError('INVALID_CONFIG', 'no database to connect to', {
      hint: 'pass --database-url, set DATABASE_URL, or set databaseUrl in phasegate.config.ts',
    });
  }
  const client = new pg.Client({
    connectionString: config.databaseUrl,
    application_name: 'phasegate',
    idle_in_transaction_session_timeout: 60_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new PhasegateError('CONNECTION_FAILED', `cannot connect to the database: ${redactSecrets((error as Error).message)}`, {
      hint: 'check the URL (host, port, database, user) and that the server is running',
      cause: error,
    });
  }
  return client;
}

/** Runs `work` with a connected client and always closes it. */
export async function withConnection<T>(config: Config, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(config);
  try {
    return await work(client);
  } catch (error) {
    throw await explainServerError(client, config.schema, error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
