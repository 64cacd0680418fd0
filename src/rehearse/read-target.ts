import pg from 'pg';
import { quoteIdent } from '../state/index.js';

/** What a rehearsal learns from the target database, read in a read-only session. */
export interface TargetFacts {
  /** "<id>:<phase>" of every unit done there. */
  readonly doneUnits: ReadonlySet<string>;
  readonly serverVersion: string;
}

/**
 * Reads which units are done in the target database. The session is
 * read-only (default_transaction_read_only), so even a bug here cannot
 * write to it. Returns null when the target cannot be reached.
 */
export async function readTarget(url: string, schema: string): Promise<TargetFacts | null> {
  const client = new pg.Client({
    connectionString: url,
    application_name: 'phasegate-rehearse-reader',
    options: '-c default_transaction_read_only=on',
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch {
    return null;
  }
  try {
    const { rows: version } = await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
    const { rows: table } = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`${quoteIdent(schema)}.units`]);
    const doneUnits = new Set<string>();
    if (table[0]?.t !== null && table[0]?.t !== undefined) {
      const { rows } = await client.query<{ name: string }>(
        `SELECT migration_id || ':' || phase AS name FROM ${quoteIdent(schema)}.units WHERE state = 'done'`,
      );
      for (const r of rows) doneUnits.add(r.name);
    }
    return { doneUnits, serverVersion: version[0]?.v ?? 'unknown' };
  } finally {
    await client.end().catch(() => undefined);
  }
}
