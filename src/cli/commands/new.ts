import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { operationsForSql, renderOperation, type OperationSuggestion } from '../../analysis/index.js';
import { PhasegateError } from '../../errors.js';
import { phasesOfOperations, type Phase } from '../../plan/index.js';
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

/** The statements `--sql` turns into operations, for the message when one is not among them. */
const SUPPORTED =
  'RENAME COLUMN, RENAME TABLE, ALTER COLUMN ... TYPE, SET NOT NULL, ADD COLUMN ... NOT NULL, ADD CONSTRAINT (FOREIGN KEY, CHECK, UNIQUE), CREATE INDEX, DROP COLUMN';

/**
 * A migration made of operations. Gates go only on the phases the operations
 * generate (a gate on a phase nothing makes is refused), with placeholders the
 * author edits: contract waits on the new app's deploy, drop on the old app's
 * retirement and a soak.
 */
export function operationsTemplate(name: string, operations: readonly OperationSuggestion[], phases: readonly Phase[]): string {
  const gates = [
    ...(phases.includes('contract') ? ["    // The new app reads and writes only the new shape from here on: wait for its deploy.\n    contract: { app: 'api', version: '>=2.0.0' },"] : []),
    ...(phases.includes('drop') ? [`    // Nothing may need the old shape any more: the old app is gone, and a day passed.\n    drop: { all: [{ marker: '${name}-old-app-retired' }, { soak: '24h' }] },`] : []),
  ];
  return `import { defineMigration, ops } from 'phasegate';

// ${name}: phasegate writes every phase of these operations (docs/operations.md);
// \`migrate plan\` shows the SQL, \`migrate rehearse\` proves both app versions keep working.
export default defineMigration({
  description: '${name.replaceAll("'", "\\'")}',
  operations: [
${operations.map((o) => `    ${renderOperation(o)},`).join('\n')}
  ],${gates.length === 0 ? '' : `\n  // Edit these gates to match your pipeline's markers and app names.\n  gates: {\n${gates.join('\n')}\n  },`}
});
`;
}

/** The operations for `--sql`, refusing (exit 2, nothing written) a statement no operation covers. */
async function operationsFrom(sql: string, name: string): Promise<{ readonly operations: OperationSuggestion[]; readonly phases: Phase[] }> {
  const statements = await operationsForSql(sql);
  const missing = statements.filter((s) => s.operation === undefined);
  if (statements.length === 0 || missing.length > 0) {
    throw new PhasegateError('USAGE', `--sql: ${statements.length === 0 ? 'holds no statement' : `no operation does ${missing.map((s) => JSON.stringify(s.sql)).join(', ')}`}`, {
      hint: `--sql takes ${SUPPORTED}; write other statements in the phases of a plain \`migrate new ${name}\``,
    });
  }
  const operations = statements.flatMap((s) => (s.operation === undefined ? [] : [s.operation]));
  return { operations, phases: phasesOfOperations(`${name}.ts`, operations.map((o) => ({ op: o.op, ...o.params }))) };
}

export function newCommand(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('new')
    .argument('<name>', 'what the migration does, e.g. rename_users_email')
    .option('--sql <statement>', 'write the operations that do what these plain statements do, in all five phases')
    .description('write a new migration from the template; prints its path')
    .addHelpText(
      'after',
      '\nExamples:\n  migrate new rename_users_email\n  migrate new rename_users_email --sql "ALTER TABLE users RENAME COLUMN email TO email_address"',
    )
    .action(async (name: string, opts: { sql?: string }, command: Command) => {
      const slug = name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
      if (slug === '') throw new PhasegateError('USAGE', `"${name}" is not a usable name`, { hint: 'use letters and digits, e.g. rename_users_email' });
      const config = await resolveConfig(command.optsWithGlobals<GlobalFlags>());
      const id = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
      const file = path.join(config.migrationsDir, `${id}_${slug}.ts`);
      if (existsSync(file)) throw new PhasegateError('USAGE', `${file} already exists`, { hint: 'wait a second or pick another name' });
      const source = opts.sql === undefined ? migrationTemplate(slug) : await operationsFrom(opts.sql, slug).then((o) => operationsTemplate(slug, o.operations, o.phases));
      await mkdir(config.migrationsDir, { recursive: true });
      await writeFile(file, source);
      printLines(file);
      setExit(EXIT.ok);
    });
}
