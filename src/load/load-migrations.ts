import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { PhasegateError } from '../errors.js';
import { buildMigration, compareIds, MIGRATION_FILE, settingsProblems, type Migration, type MigrationDefaults } from '../plan/index.js';
import { importModule } from './import-module.js';

/**
 * Loads every migration in `dir`, in id order. A file that does not load or
 * validate stops everything: nothing may run on a half-read plan. With the
 * config's `defaults`, step timeouts and batch bounds are checked against them.
 */
export async function loadMigrations(dir: string, defaults?: MigrationDefaults): Promise<Migration[]> {
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
    .sort(compareIds);

  const problems: string[] = [];
  const migrations: Migration[] = [];
  for (const name of files) {
    try {
      migrations.push(await loadMigrationFile(path.join(dir, name), defaults));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
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

/**
 * Loads and validates one migration file; its id is the file name without
 * extension. `defaults` as for loadMigrations.
 */
export async function loadMigrationFile(file: string, defaults?: MigrationDefaults): Promise<Migration> {
  const match = MIGRATION_FILE.exec(path.basename(file));
  if (match === null) {
    throw new PhasegateError('INVALID_MIGRATION', `${file}: file name must be <sortable id>_<name>.ts, e.g. 20261123120000_rename_users_email.ts`, {
      hint: 'rename the file',
    });
  }
  let exported: unknown;
  try {
    exported = await importModule(file);
  } catch (error) {
    throw new PhasegateError('INVALID_MIGRATION', `${file}: cannot be loaded: ${(error as Error).message}`, { cause: error });
  }
  const migration = buildMigration(match[1] as string, file, exported);
  const problems = settingsProblems(migration, defaults);
  if (problems.length > 0) {
    throw new PhasegateError('INVALID_MIGRATION', problems.join('\n'), {
      hint: 'change the migration or the config so every lockTimeout is below its statementTimeout and minBatchSize <= maxBatchSize',
    });
  }
  return migration;
}
