import { cp, readFile, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const EXAMPLE_DIR = fileURLToPath(new URL('../../migrations-example/', import.meta.url));
export const RENAME_FILE = '20261123120000_rename_users_email.ts';

/** A copy of migrations-example/ that a test may edit. */
export async function copyExample(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'phasegate-rehearse-'));
  await cp(EXAMPLE_DIR, dir, { recursive: true });
  return dir;
}

/** The rename written by hand (the trigger, backfill and safe NOT NULL the example's operation generates). */
export const HAND_WRITTEN_RENAME = fileURLToPath(new URL('./fixtures/hand-written-rename.ts', import.meta.url));

/**
 * Replaces the example's rename by the hand-written one with its contract in
 * the order it once had: the sync trigger dropped before email's NOT NULL, so
 * app v2's inserts fail in between.
 */
export async function restoreBrokenContractOrder(dir: string): Promise<void> {
  const source = await readFile(HAND_WRITTEN_RENAME, 'utf8');
  const relax = "      'ALTER TABLE users ALTER COLUMN email DROP NOT NULL',\n";
  if (!source.includes(relax)) throw new Error('the hand-written rename no longer has the DROP NOT NULL step');
  const broken = source.replace(relax, '').replace("      'DROP FUNCTION users_sync_email()',\n", `      'DROP FUNCTION users_sync_email()',\n${relax}`);
  await writeFile(path.join(dir, 'migrations', RENAME_FILE), broken);
}

/** The scratch database a run named in its log (run with --log-level info). */
export function scratchNameIn(stderr: string): string {
  const name = /"database":"(phasegate_rehearsal_[0-9a-f]+)"/.exec(stderr)?.[1];
  if (name === undefined) throw new Error(`no scratch database in the log:\n${stderr}`);
  return name;
}

/** Names of scratch databases on the server. */
export async function scratchDatabases(adminUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'phasegate\\_rehearsal\\_%'`);
    return rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

/** The arguments of a rehearsal of (a copy of) the example on the test server: setup and app files come from its config. */
export function exampleArgs(adminUrl: string, ...extra: string[]): string[] {
  return ['rehearse', '--scratch-url', adminUrl, '--log-level', 'info', ...extra];
}
