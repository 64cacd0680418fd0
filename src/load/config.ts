import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { PhasegateError } from '../errors.js';
import { backfillTuningSchema, parseDuration, type BackfillTuning, type Phase, type Timeouts } from '../plan/index.js';
import { importModule } from './import-module.js';

export const CONFIG_FILES = ['phasegate.config.ts', 'phasegate.config.mts', 'phasegate.config.js', 'phasegate.config.json'] as const;

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (expected e.g. "500ms", "5s", "30m")` });
    return z.NEVER;
  }
  return ms;
});

const timeoutsSchema = z.strictObject({
  /** How long one statement may wait for a lock before it is cancelled and retried. */
  lockTimeout: duration,
  /** How long one statement may run. */
  statementTimeout: duration,
});

/** The config file's shape; every key is optional and has a default. */
export const configFileSchema = z.strictObject({
  databaseUrl: z.string().min(1).optional(),
  /** @default "migrations" (relative to the config file) */
  migrationsDir: z.string().min(1).optional(),
  /** Schema that holds phasegate's state. @default "phasegate" */
  schema: z.string().min(1).max(63).optional(),
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
  backfill: z.strictObject({ batchSize: z.number().int().positive().optional(), ...backfillTuningSchema.shape }).optional(),
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
  const file = configFile === undefined ? {} : await readConfigFile(configFile);
  const baseDir = configFile === undefined ? cwd : path.dirname(configFile);

  const timeouts = {
    lockTimeoutMs: file.timeouts?.lockTimeout ?? 5_000,
    statementTimeoutMs: file.timeouts?.statementTimeout ?? 60_000,
  };
  const nonTransactionalTimeouts = {
    lockTimeoutMs: file.nonTransactionalTimeouts?.lockTimeout ?? 300_000,
    statementTimeoutMs: file.nonTransactionalTimeouts?.statementTimeout ?? 4 * 3_600_000,
  };
  for (const [key, t] of [['timeouts', timeouts], ['nonTransactionalTimeouts', nonTransactionalTimeouts]] as const) {
    if (t.lockTimeoutMs >= t.statementTimeoutMs) {
      throw new PhasegateError(
        'INVALID_CONFIG',
        `${configFile ?? 'config'}: ${key}.lockTimeout must be shorter than ${key}.statementTimeout`,
        { hint: 'a lock wait is part of the statement; keep lockTimeout well below statementTimeout' },
      );
    }
  }

  const migrationsDir = overrides.migrationsDir ?? env['PHASEGATE_MIGRATIONS_DIR'];
  return {
    databaseUrl: overrides.databaseUrl ?? env['PHASEGATE_DATABASE_URL'] ?? env['DATABASE_URL'] ?? file.databaseUrl,
    migrationsDir:
      migrationsDir === undefined ? path.resolve(baseDir, file.migrationsDir ?? 'migrations') : path.resolve(cwd, migrationsDir),
    schema: overrides.schema ?? env['PHASEGATE_SCHEMA'] ?? file.schema ?? 'phasegate',
    timeouts,
    nonTransactionalTimeouts,
    lockRetries: file.lockRetries ?? 5,
    planCheck: { seqScanBytes: file.planCheck?.seqScanBytes ?? 100 * 1024 * 1024 },
    preflight: { maxTransactionAgeMs: file.preflight?.maxTransactionAge ?? 60_000, waitMs: file.preflight?.wait ?? 30_000 },
    backfillBatchSize: file.backfill?.batchSize ?? 1000,
    backfill: backfillTuning(file.backfill),
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

async function readConfigFile(file: string): Promise<z.output<typeof configFileSchema>> {
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
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${file}: ${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new PhasegateError('INVALID_CONFIG', lines.join('\n'), {
      hint: 'see "Configuration" in README.md for every key and its default',
    });
  }
  return parsed.data;
}
