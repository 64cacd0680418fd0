import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PhasegateError } from '../errors.js';
import { quoteIdent } from '../state/index.js';

/** A database created for one rehearsal; `drop` removes it even with sessions still attached. */
export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  /** Opens a session on the scratch database (the caller ends it). */
  readonly connect: (applicationName: string) => Promise<pg.Client>;
  readonly drop: () => Promise<void>;
}

/**
 * Creates a uniquely named database on the scratch server. Only this
 * database is ever written; the server's other databases are not touched.
 */
export async function createScratchDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = `phasegate_rehearsal_${randomBytes(5).toString('hex')}`;
  const url = new URL(serverUrl);
  const adminDb = url.pathname.length > 1 ? url.pathname : '/postgres';
  url.pathname = adminDb;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: url.toString(), application_name: 'phasegate-rehearse' });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query(sql);
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  try {
    await admin(`CREATE DATABASE ${quoteIdent(name)}`);
  } catch (error) {
    throw new PhasegateError('CONNECTION_FAILED', `cannot create the scratch database ${name}: ${(error as Error).message}`, {
      hint: 'the --scratch-url server must be reachable and its user allowed to CREATE DATABASE',
      cause: error,
    });
  }
  const scratchUrl = new URL(url.toString());
  scratchUrl.pathname = `/${name}`;
  return {
    name,
    url: scratchUrl.toString(),
    connect: async (applicationName) => {
      const client = new pg.Client({ connectionString: scratchUrl.toString(), application_name: applicationName });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    },
    // FORCE (PostgreSQL 13+) ends sessions a crashed loop may have left behind.
    drop: () => admin(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
  };
}
