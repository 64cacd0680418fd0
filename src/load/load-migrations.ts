import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { PhasegateError } from '../errors.js';
import { buildMigration, compareIds, MIGRATION_FILE, settingsProblems, type Migration, type MigrationDefaults } from '../plan/index.js';
import { ExportCache } from './export-cache.js';
import { importIsolated, migrationApi, releaseWarmWorker, type IsolatedImport } from './isolated-import.js';

/** How long one migration file may take to load before it counts as hung. */
export const DEFAULT_LOAD_TIME_LIMIT_MS = 10_000;

/** How migrations are loaded. */
export interface LoadOptions {
  /** Per file; a file still loading after this is an error naming it. @default 10 s */
  readonly timeLimitMs?: number;
  /** The config's timeouts and batch bounds: each step and backfill is checked against them. */
  readonly defaults?: MigrationDefaults;
}

/**
 * Loads every migration in `dir`, in id order. A file that does not load or
 * validate stops everything: nothing may run on a half-read plan. With the
 * config's `defaults`, step timeouts and batch bounds are checked against them.
 */
export async function loadMigrations(dir: string, options: LoadOptions = {}): Promise<Migration[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new PhasegateError('INVALID_CONFIG', `migrations directory ${dir} cannot be read`, {
      hint: 'create it with `migrate init`, or point --migrations-dir at the right folder',
      cause: error,
    });
  }
  const files = names
    .filter((name) => /\.(?:ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') && !name.startsWith('.'))
    .sort(compareIds)
    .map((name) => path.join(dir, name));
  const outcomes = [...(await loadEachMigration(files, options)).values()];
  const migrations = outcomes.flatMap((o) => (o.kind === 'loaded' ? [o.migration] : []));
  const problems = outcomes.flatMap((o) => (o.kind === 'failed' ? o.problems : []));
  const seen = new Map<string, string>();
  for (const m of migrations) {
    const other = seen.get(m.id);
    if (other !== undefined) problems.push(`${m.file}: id ${m.id} is also used by ${other}`);
    seen.set(m.id, m.file);
  }
  if (problems.length > 0) {
    throw new PhasegateError('INVALID_MIGRATION', problems.join('\n'), {
      hint: 'fix the files above; nothing was run',
    });
  }
  return migrations.sort((a, b) => compareIds(a.id, b.id));
}

/** Loads and validates one migration file; its id is the file name without extension. */
export async function loadMigrationFile(file: string, options: LoadOptions = {}): Promise<Migration> {
  const outcome = (await loadEachMigration([file], options)).get(file);
  if (outcome?.kind !== 'loaded') {
    throw new PhasegateError('INVALID_MIGRATION', outcome?.problems.join('\n') ?? `${file}: it was not loaded`, { hint: 'fix the file; nothing was run' });
  }
  return outcome.migration;
}

/** One file's outcome: its migration, or every problem found in it. */
export type MigrationLoad =
  | { readonly kind: 'loaded'; readonly migration: Migration }
  | { readonly kind: 'failed'; readonly problems: readonly string[] };

/**
 * Loads many files at once, each on its own: one that fails does not stop
 * the others (as `lint` needs). One worker serves them all, so a tree of
 * files costs one loader start-up, not one per file.
 */
export async function loadEachMigration(files: readonly string[], options: LoadOptions = {}): Promise<Map<string, MigrationLoad>> {
  const outcomes = new Map<string, MigrationLoad>();
  const named: { file: string; id: string }[] = [];
  for (const file of files) {
    const match = MIGRATION_FILE.exec(path.basename(file));
    if (match === null) outcomes.set(file, { kind: 'failed', problems: [`${file}: file name must be <sortable id>_<name>.ts, e.g. 20261123120000_rename_users_email.ts`] });
    else named.push({ file, id: match[1] ?? '' });
  }
  const built = new Map<string, MigrationLoad>();
  const build = ({ file, id }: { file: string; id: string }, outcome: IsolatedImport | undefined): void => {
    if (outcome?.kind !== 'loaded') {
      built.set(file, { kind: 'failed', problems: [`${file}: cannot be loaded: ${outcome?.reason ?? 'it was not loaded'}`] });
      return;
    }
    try {
      const migration = buildMigration(id, file, outcome.value);
      const settings = settingsProblems(migration, options.defaults);
      built.set(file, settings.length > 0 ? { kind: 'failed', problems: settings } : { kind: 'loaded', migration });
    } catch (error) {
      built.set(file, { kind: 'failed', problems: [(error as Error).message] });
    }
  };
  // A data-only file loaded before is answered from the cache; the others go to the worker.
  const cache = new ExportCache(readSource(migrationApi()) ?? '');
  const sources = new Map<string, string>();
  for (const n of named) {
    const source = readSource(n.file);
    const cached = source === undefined ? undefined : cache.read(source);
    if (source !== undefined) sources.set(path.resolve(n.file), source);
    if (cached !== undefined) build(n, { kind: 'loaded', value: cached.value });
  }
  // Relative paths would be read as package names by the module loader.
  const byPath = new Map(named.filter((n) => !built.has(n.file)).map((n) => [path.resolve(n.file), n]));
  if (byPath.size === 0) releaseWarmWorker();
  // Each file is validated as soon as the worker sends it, while the worker loads the next.
  const loaded = byPath.size === 0 ? new Map<string, IsolatedImport>() : await importIsolated([...byPath.keys()], options.timeLimitMs ?? DEFAULT_LOAD_TIME_LIMIT_MS, (resolved, outcome) => {
    const entry = byPath.get(resolved);
    if (entry === undefined) return;
    build(entry, outcome);
    const source = sources.get(resolved);
    if (outcome.kind === 'loaded' && built.get(entry.file)?.kind === 'loaded' && source !== undefined) cache.write(source, outcome.value);
  });
  for (const n of named) {
    if (!built.has(n.file)) build(n, loaded.get(path.resolve(n.file)));
    outcomes.set(n.file, built.get(n.file) as MigrationLoad);
  }
  return outcomes;
}

/** A file's text, or undefined when it cannot be read (the loader then says why). Read at once: many small files, one after another. */
function readSource(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
