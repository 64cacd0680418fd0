import pino, { type LogFn, type Logger } from 'pino';
import { checkConfigFragments } from '../analysis/index.js';
import { PhasegateError } from '../errors.js';
import { connectRunner, explainServerError, type HeartbeatOptions } from '../execute/index.js';
import { loadConfig, loadMigrations, type Config, type LoadOptions } from '../load/index.js';
import type { Session } from '../pg/index.js';
import { parseDuration, type Migration } from '../plan/index.js';
import { redactDeep, redactSecrets } from '../secrets.js';

/** Flags every command accepts. */
export interface GlobalFlags {
  readonly databaseUrl?: string;
  readonly config?: string;
  readonly migrationsDir?: string;
  readonly schema?: string;
  readonly logLevel?: string;
}

/** Loads and validates the config, its SQL fragments included, before any command does anything. */
export async function resolveConfig(flags: GlobalFlags): Promise<Config> {
  const config = await loadConfig(process.cwd(), {
    configPath: flags.config,
    databaseUrl: flags.databaseUrl,
    migrationsDir: flags.migrationsDir,
    schema: flags.schema,
  }, process.env);
  const healthQuery = config.backfill.healthQuery;
  if (healthQuery !== undefined) {
    await checkConfigFragments([{ kind: 'query', field: `${config.configFile ?? 'config'}: backfill.healthQuery`, sql: healthQuery }]);
  }
  return config;
}

/** The project's migrations, checked against the config's timeouts and batch bounds. */
export async function resolveMigrations(config: Config): Promise<Migration[]> {
  return loadMigrations(config.migrationsDir, { ...loadOptions(), defaults: config });
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
    formatters: { log: (object: Record<string, unknown>) => redactDeep(object) },
    // The message string is not part of the object the formatter sees.
    hooks: {
      logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
        method.apply(this, args.map((arg: unknown) => (typeof arg === 'string' ? redactSecrets(arg) : arg)) as Parameters<LogFn>);
      },
    },
  };
  if (process.stderr.isTTY === true) {
    const { default: pretty } = await import('pino-pretty');
    return pino(options, pretty({ destination: 2, ignore: 'pid,hostname' }));
  }
  return pino(options, pino.destination(2));
}

/**
 * Opens the one session a command works on, bounded as the config says:
 * lock and statement timeouts from `timeouts`, idle limits, a connect
 * timeout, keepalive and a per-query deadline (see pg/session.ts).
 */
export function connect(config: Config, applicationName = 'phasegate'): Promise<Session> {
  return connectRunner(config, applicationName);
}

/** The runner's heartbeat: its own small connection, beating at the configured interval. */
export function heartbeatFor(config: Config): HeartbeatOptions {
  return { open: () => connect(config, 'phasegate heartbeat'), intervalMs: config.connection.heartbeatIntervalMs };
}

/** Runs `work` with a connected session and always closes it. */
export async function withConnection<T>(config: Config, work: (session: Session) => Promise<T>): Promise<T> {
  return useSession(config, await connect(config), work);
}

/**
 * Runs `work` with the project's migrations and a connected session. The
 * connection opens while the files load: over a network, connecting takes
 * several round trips that loading need not wait for. Errors come in the
 * same order as before: a file that fails to load fails the command (and
 * the session is closed once open, or the process would wait on it), and
 * only then a connection that failed.
 */
export async function withMigrations<T>(config: Config, work: (migrations: Migration[], session: Session) => Promise<T>): Promise<T> {
  const opening = connect(config);
  opening.catch(() => undefined); // awaited below, once the files loaded
  let migrations: Migration[];
  try {
    migrations = await resolveMigrations(config);
  } catch (error) {
    void opening.then((session) => session.end(), () => undefined);
    throw error;
  }
  return useSession(config, await opening, (session) => work(migrations, session));
}

async function useSession<T>(config: Config, session: Session, work: (session: Session) => Promise<T>): Promise<T> {
  try {
    return await work(session);
  } catch (error) {
    throw await explainServerError(session, config.schema, error);
  } finally {
    await session.end();
  }
}
