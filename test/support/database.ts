import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { quoteIdent } from '../../src/state/index.js';

export interface TestDatabase {
  /** URL of this file's own database. */
  readonly url: string;
  /** A connected client on it, closed after the file. */
  readonly client: pg.Client;
  /** Opens another client (closed after the file). */
  readonly connect: () => Promise<pg.Client>;
}

/**
 * Gives the calling test file its own fresh database, created from the
 * template (state schema installed) in beforeAll and dropped in afterAll.
 */
export function useTestDatabase(): TestDatabase {
  const name = `pg_${randomBytes(6).toString('hex')}`;
  const admin = inject('adminUrl');
  const parsed = new URL(admin);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  const clients: pg.Client[] = [];
  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    await client.connect();
    clients.push(client);
    return client;
  };
  const db = { url, connect } as { url: string; connect: () => Promise<pg.Client>; client: pg.Client };

  beforeAll(async () => {
    await adminQuery(admin, `CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(inject('templateDatabase'))}`);
    db.client = await connect();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await adminQuery(admin, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  });
  return db;
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
