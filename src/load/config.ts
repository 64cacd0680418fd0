import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { PhasegateError } from '../errors.js';
import {
  backfillTuningSchema,
  checkBatchBounds,
  formatDuration,
  MAX_TIMEOUT_MS,
  parseDuration,
  timeoutMs,
  type BackfillTuning,
  type Phase,
  type Timeouts,
} from '../plan/index.js';
import { importModule } from './import-module.js';

export const CONFIG_FILES = ['phasegate.config.ts', 'phasegate.config.mts', 'phasegate.config.js', 'phasegate.config.json'] as const;

/** A wait the runner measures itself; "0s" means "do not wait". */
const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (expected e.g. "500ms", "5s", "30m")` });
    return z.NEVER;
  }
  if (ms > MAX_TIMEOUT_MS) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is longer than the longest wait supported (${formatDuration(MAX_TIMEOUT_MS)})` });
    return z.NEVER;
  }
  return ms;
});

const timeoutsSchema = z.strictObject({
  /** How long one statement may wait for a lock before it is cancelled and retried; above 0. */
  lockTimeout: timeoutMs,
  /** How long one statement may run; above lockTimeout. */
  statementTimeout: timeoutMs,
});

/** The config file's shape; every key is optional and has a default. */
export const configFileSchema = z.strictObject({
  databaseUrl: z.string().min(1).optional(),
  /** @default "migrations" (relative to the config file) */
  migrationsDir: z.string().min(1).optional(),
  /** Schema that holds phasegate's state: not empty, at most 63 bytes, no pg_ prefix. @default "phasegate" */
  schema: z.string().optional(),
  /** Timeouts for transactional steps. @default { lockTimeout: "5s", statementTimeout: "1m" } */
  timeouts: timeoutsSchema.partial().optional(),
  /**
   * Timeouts for steps run outside a transaction (CREATE INDEX CONCURRENTLY):
   * such builds wait for every older transaction in the database, and their
   * weak lock does not block application writes, so they may wait longer.
   * @default { lockTimeout: "5m", statementTimeout: "4h" }
   */
  nonTransactionalTimeouts: timeoutsSchema.partial().optional(),
  /**
   * Before a step that locks tables, wait this long for transactions older
   * than maxTransactionAge to end, then refuse (exit 4).
   * @default { maxTransactionAge: "1m", wait: "30s" }
   */
  preflight: z.strictObject({ maxTransactionAge: duration, wait: duration }).partial().optional(),
  /** DML steps and verify queries whose plan seq-scans a table larger than this are refused. @default 104857600 (100 MiB) */
  planCheck: z.strictObject({ seqScanBytes: z.number().int().min(0) }).partial().optional(),
  /** Attempts per statement when it times out waiting for a lock. @default 5 */
  lockRetries: z.number().int().min(1).max(100).optional(),
  /**
   * Defaults for every backfill: `batchSize` is the first batch's size (then
   * adaptive); the other keys are the pacing and throttle settings a backfill
   * spec may also set (README "Backfills").
   */
  backfill: z
    .strictObject({ batchSize: z.number().int().positive().optional(), ...backfillTuningSchema.shape })
    .superRefine(checkBatchBounds)
    .optional(),
  /**
   * The connection every command opens (README "Connection"): how long to
   * wait for the server, when keepalive probes start, how long past a
   * statement's own timeout to wait for its answer, how long a session may
   * idle, how often the runner beats.
   * @default { connectTimeout: "10s", keepAliveIdle: "10s", answerMargin: "10s", idleInTransactionTimeout: "1m", idleSessionTimeout: "15m", heartbeatInterval: "5s" }
   */
  connection: z
    .strictObject({
      connectTimeout: duration,
      keepAliveIdle: duration,
      answerMargin: duration,
      idleInTransactionTimeout: duration,
      idleSessionTimeout: duration,
      heartbeatInterval: duration,
    })
    .partial()
    .optional(),
  /** `migrate rehearse` defaults; paths are relative to the config file. */
  rehearse: z
    .strictObject({
      /** SQL files run first on the scratch database (schema dump, seed). */
      setup: z.array(z.string().min(1)).optional(),
      /** Check file of the app of state A (named `old`). */
      oldApp: z.string().min(1).optional(),
      /** Check file of the app of state B (named `new`). */
      newApp: z.string().min(1).optional(),
      /** The new app must work from the end of this phase. @default "backfill" */
      newAppFrom: z.enum(['expand', 'dualWrite', 'backfill']).optional(),
      /** More app versions, each with its own window. */
      apps: z
        .array(
          z.strictObject({
            name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,30}$/),
            check: z.string().min(1),
            from: z.enum(['start', 'expand', 'dualWrite', 'backfill', 'contract', 'drop']).optional(),
            until: z.enum(['expand', 'dualWrite', 'backfill', 'contract', 'drop', 'end']).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

export type ConfigFile = z.input<typeof configFileSchema>;

/** Resolved settings: flags beat the environment, which beats the file. */
export interface Config {
  readonly databaseUrl: string | undefined;
  readonly migrationsDir: string;
  readonly schema: string;
  readonly timeouts: Timeouts;
  readonly nonTransactionalTimeouts: Timeouts;
  readonly lockRetries: number;
  readonly preflight: { readonly maxTransactionAgeMs: number; readonly waitMs: number };
  readonly planCheck: { readonly seqScanBytes: number };
  readonly backfillBatchSize: number;
  /** Backfill pacing and throttle defaults from the file; the engine fills in the rest. */
  readonly backfill: BackfillTuning;
  readonly connection: ConnectionConfig;
  /** The file the settings came from, if any. */
  readonly configFile: string | undefined;
  /** The file's `rehearse` section with paths made absolute. */
  readonly rehearse: RehearseConfig;
}

/** `migrate rehearse` defaults from the config file. */
export interface RehearseConfig {
  readonly setup: readonly string[];
  readonly oldApp: string | undefined;
  readonly newApp: string | undefined;
  readonly newAppFrom: 'expand' | 'dualWrite' | 'backfill' | undefined;
  readonly apps: readonly { readonly name: string; readonly check: string; readonly from: 'start' | Phase | undefined; readonly until: Phase | 'end' | undefined }[];
}

/** The `connection` section, resolved: every duration in milliseconds. */
export interface ConnectionConfig {
  readonly connectTimeoutMs: number;
  readonly keepAliveIdleMs: number;
  /** The client gives up on an answer this long after the statement timeout in force. */
  readonly answerMarginMs: number;
  readonly idleInTransactionTimeoutMs: number;
  /** Ends a session idle this long (a frozen runner's); above any pause between backfill batches. */
  readonly idleSessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
}

export interface ConfigOverrides {
  readonly configPath?: string | undefined;
  readonly databaseUrl?: string | undefined;
  readonly migrationsDir?: string | undefined;
  readonly schema?: string | undefined;
}

/**
 * Finds, loads and validates the config. `env` is passed in so tests and the
 * demo can control it; only this module and the CLI read the environment.
 */
export async function loadConfig(cwd: string, overrides: ConfigOverrides, env: NodeJS.ProcessEnv): Promise<Config> {
  const explicit = overrides.configPath ?? env['PHASEGATE_CONFIG'];
  const configFile = explicit === undefined ? findConfigFile(cwd) : path.resolve(cwd, explicit);
  if (explicit !== undefined && configFile !== undefined && !existsSync(configFile)) {
    throw new PhasegateError('INVALID_CONFIG', `config file ${explicit} does not exist`, {
      hint: 'pass the path of an existing file to --config, or run `migrate init` to create one',
    });
  }
  const read = configFile === undefined ? { data: {}, problems: [] } : await readConfigFile(configFile);
  const file = read.data ?? {};
  const where = configFile ?? 'config';
  const baseDir = configFile === undefined ? cwd : path.dirname(configFile);

  const timeouts = {
    lockTimeoutMs: file.timeouts?.lockTimeout ?? 5_000,
    statementTimeoutMs: file.timeouts?.statementTimeout ?? 60_000,
  };
  const nonTransactionalTimeouts = {
    lockTimeoutMs: file.nonTransactionalTimeouts?.lockTimeout ?? 300_000,
    statementTimeoutMs: file.nonTransactionalTimeouts?.statementTimeout ?? 4 * 3_600_000,
  };
  const schema = resolveSchema(overrides, env, file.schema, where);
  const problems = [
    ...read.problems,
    ...(read.data === undefined ? [] : timeoutOrderProblems(where, { timeouts, nonTransactionalTimeouts })),
    ...schema.problems,
  ];
  if (problems.length > 0) {
    throw new PhasegateError('INVALID_CONFIG', problems.join('\n'), {
      hint: 'fix the settings above (see "Configuration" in README.md for every key and its default); nothing was run',
    });
  }

  const migrationsDir = overrides.migrationsDir ?? env['PHASEGATE_MIGRATIONS_DIR'];
  return {
    databaseUrl: overrides.databaseUrl ?? env['PHASEGATE_DATABASE_URL'] ?? env['DATABASE_URL'] ?? file.databaseUrl,
    migrationsDir:
      migrationsDir === undefined ? path.resolve(baseDir, file.migrationsDir ?? 'migrations') : path.resolve(cwd, migrationsDir),
    schema: schema.name,
    timeouts,
    nonTransactionalTimeouts,
    lockRetries: file.lockRetries ?? 5,
    planCheck: { seqScanBytes: file.planCheck?.seqScanBytes ?? 100 * 1024 * 1024 },
    preflight: { maxTransactionAgeMs: file.preflight?.maxTransactionAge ?? 60_000, waitMs: file.preflight?.wait ?? 30_000 },
    backfillBatchSize: file.backfill?.batchSize ?? 1000,
    backfill: backfillTuning(file.backfill),
    connection: {
      connectTimeoutMs: file.connection?.connectTimeout ?? 10_000,
      keepAliveIdleMs: file.connection?.keepAliveIdle ?? 10_000,
      answerMarginMs: file.connection?.answerMargin ?? 10_000,
      idleInTransactionTimeoutMs: file.connection?.idleInTransactionTimeout ?? 60_000,
      idleSessionTimeoutMs: file.connection?.idleSessionTimeout ?? 15 * 60_000,
      heartbeatIntervalMs: file.connection?.heartbeatInterval ?? 5_000,
    },
    configFile,
    rehearse: rehearseConfig(file.rehearse, baseDir),
  };
}

/** The tuning keys of the file's `backfill` section, without its `batchSize`. */
function backfillTuning(section: z.output<typeof configFileSchema>['backfill']): BackfillTuning {
  if (section === undefined) return {};
  const { batchSize: _initial, ...tuning } = section;
  return tuning;
}

function rehearseConfig(section: z.output<typeof configFileSchema>['rehearse'], baseDir: string): RehearseConfig {
  const resolve = (file: string | undefined): string | undefined => (file === undefined ? undefined : path.resolve(baseDir, file));
  return {
    setup: (section?.setup ?? []).map((f) => path.resolve(baseDir, f)),
    oldApp: resolve(section?.oldApp),
    newApp: resolve(section?.newApp),
    newAppFrom: section?.newAppFrom,
    apps: (section?.apps ?? []).map((a) => ({ name: a.name, check: path.resolve(baseDir, a.check), from: a.from, until: a.until })),
  };
}

/** Looks in `cwd` and its parents, stopping at the repository root. */
function findConfigFile(cwd: string): string | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const name of CONFIG_FILES) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    if (existsSync(path.join(dir, '.git')) || path.dirname(dir) === dir) return undefined;
  }
}

/** A lock wait is part of its statement: a lock timeout at or above the statement timeout never fires. */
function timeoutOrderProblems(where: string, sets: Record<'timeouts' | 'nonTransactionalTimeouts', Timeouts>): string[] {
  return Object.entries(sets).flatMap(([key, t]) =>
    t.lockTimeoutMs < t.statementTimeoutMs
      ? []
      : [
          `${where}: ${key}.lockTimeout (${formatDuration(t.lockTimeoutMs)}) must be shorter than ${key}.statementTimeout ` +
            `(${formatDuration(t.statementTimeoutMs)}): a lock wait is part of the statement`,
        ],
  );
}

/**
 * The state schema's name and where it came from. PostgreSQL would silently
 * truncate a name longer than 63 bytes and reserves the pg_ prefix.
 */
function resolveSchema(
  overrides: ConfigOverrides,
  env: NodeJS.ProcessEnv,
  fromFile: string | undefined,
  where: string,
): { readonly name: string; readonly problems: readonly string[] } {
  const [name, source] =
    overrides.schema !== undefined
      ? [overrides.schema, '--schema']
      : env['PHASEGATE_SCHEMA'] !== undefined
        ? [env['PHASEGATE_SCHEMA'], 'PHASEGATE_SCHEMA']
        : [fromFile ?? 'phasegate', `${where}: schema`];
  const bytes = Buffer.byteLength(name, 'utf8');
  const problem =
    name.trim() === ''
      ? 'must not be empty'
      : bytes > 63
        ? `"${name}" is ${bytes} bytes long; PostgreSQL names are at most 63 bytes`
        : name.startsWith('pg_')
          ? `"${name}" starts with pg_, which PostgreSQL reserves for system schemas`
          : undefined;
  return { name, problems: problem === undefined ? [] : [`${source}: ${problem}`] };
}

/** The file's settings, or every problem zod found in it. */
async function readConfigFile(file: string): Promise<{ readonly data?: z.output<typeof configFileSchema>; readonly problems: readonly string[] }> {
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(await readFile(file, 'utf8')) : await importModule(file);
  } catch (error) {
    throw new PhasegateError('INVALID_CONFIG', `${file}: cannot be loaded: ${(error as Error).message}`, {
      hint: 'fix the syntax error, or run `migrate init --force` to write a fresh config',
      cause: error,
    });
  }
  const parsed = configFileSchema.safeParse(raw);
  if (parsed.success) return { data: parsed.data, problems: [] };
  return { problems: parsed.error.issues.map((i) => `${file}: ${i.path.map(String).join('.') || '(root)'}: ${i.message}`) };
}
