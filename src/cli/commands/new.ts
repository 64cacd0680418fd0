import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { PhasegateError } from '../../errors.js';
import { resolveConfig, type GlobalFlags } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printLines } from '../output.js';

export function migrationTemplate(name: string): string {
  return `import { defineMigration } from 'phasegate';

// ${name}
// Each phase is optional; delete the ones you do not need. Phases run in this order,
// each only once its gate holds. Old and new app versions must both work after
// every phase before contract.
export default defineMigration({
  description: '${name.replaceAll("'", "\\'")}',

  // expand: additive, backward-compatible DDL only (new nullable columns, new tables,
  // indexes built CONCURRENTLY with transaction: false, constraints NOT VALID).
  expand: {
    sql: [
      // 'ALTER TABLE users ADD COLUMN email_address text',
    ],
    // How to undo this phase, for migrate rollback (allowed until contract has run):
    // down: ['ALTER TABLE users DROP COLUMN email_address'],
  },

  // dualWrite: keep both shapes in sync for every write, e.g. with a trigger.
  // dualWrite: { sql: ['CREATE FUNCTION ...', 'CREATE TRIGGER ...'], down: ['DROP TRIGGER ...'] },

  // backfill: bring rows written before dual-writing began to the new shape,
  // in keyset batches over the primary key; verify must return 0.
  // backfill: {
  //   backfill: { table: 'users', set: 'email_address = email', where: 'email_address IS NULL' },
  //   verify: 'SELECT count(*) FROM users WHERE email_address IS NULL AND email IS NOT NULL',
  // },

  // contract: the new shape becomes authoritative; gate it on what is deployed.
  // contract: { gate: { app: 'api', version: '>=2.0.0' }, sql: ['DROP TRIGGER ...'] },

  // drop: remove the old shape once nothing can touch it; a gate is required.
  // drop: { gate: { all: [{ marker: 'api-v1-retired' }, { soak: '24h' }] }, sql: ['ALTER TABLE users DROP COLUMN email'] },
});
`;
}

export function newCommand(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('new')
    .argument('<name>', 'what the migration does, e.g. rename_users_email')
    .description('write a new migration from the template; prints its path')
    .addHelpText('after', '\nExamples:\n  migrate new rename_users_email\n  migrate new add_orders_status_index')
    .action(async (name: string, _opts: unknown, command: Command) => {
      const slug = name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
      if (slug === '') throw new PhasegateError('USAGE', `"${name}" is not a usable name`, { hint: 'use letters and digits, e.g. rename_users_email' });
      const config = await resolveConfig(command.optsWithGlobals<GlobalFlags>());
      const id = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
      const file = path.join(config.migrationsDir, `${id}_${slug}.ts`);
      if (existsSync(file)) throw new PhasegateError('USAGE', `${file} already exists`, { hint: 'wait a second or pick another name' });
      await mkdir(config.migrationsDir, { recursive: true });
      await writeFile(file, migrationTemplate(slug));
      printLines(file);
      setExit(EXIT.ok);
    });
}
