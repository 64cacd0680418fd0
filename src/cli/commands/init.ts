import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { PhasegateError } from '../../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printLines } from '../output.js';

const CONFIG_TEMPLATE = `import type { ConfigFile } from 'phasegate';

// phasegate configuration. Every key is optional; the values below are the defaults.
// Keep secrets out of this file: the database URL comes from --database-url or DATABASE_URL.
export default {
  migrationsDir: 'migrations',
  // Schema that holds phasegate's own state (units run, markers, approvals, events).
  schema: 'phasegate',
  // Every transactional statement runs under these; a lock wait longer than lockTimeout
  // is cancelled and retried with backoff, so application traffic never queues for long.
  timeouts: { lockTimeout: '5s', statementTimeout: '1m' },
  // Steps with transaction: false (CREATE INDEX CONCURRENTLY) wait for older transactions
  // and take weak locks, so they get longer timeouts.
  nonTransactionalTimeouts: { lockTimeout: '5m', statementTimeout: '4h' },
  lockRetries: 5,
  backfill: { batchSize: 1000 },
} satisfies ConfigFile;
`;

export function initCommand(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('init')
    .description('write phasegate.config.ts and an empty migrations directory')
    .option('--force', 'overwrite an existing config file')
    .addHelpText('after', '\nExamples:\n  migrate init\n  migrate init --force')
    .action(async (opts: { force?: boolean }) => {
      const configFile = path.resolve('phasegate.config.ts');
      if (existsSync(configFile) && opts.force !== true) {
        throw new PhasegateError('USAGE', `${configFile} already exists`, { hint: 'pass --force to overwrite it' });
      }
      await writeFile(configFile, CONFIG_TEMPLATE);
      await mkdir(path.resolve('migrations'), { recursive: true });
      printLines(`wrote ${configFile}`, `created ${path.resolve('migrations')}/`, 'next: migrate new <name>');
      setExit(EXIT.ok);
    });
}
