#!/usr/bin/env node
// The `migrate` (and `phasegate`) executable: a thin shell over the built CLI.
import { prewarmIsolatedImport } from '../dist/load/isolated-import.js';

// Migration files load in a worker thread: a command that reads them starts it
// now, so its start-up overlaps with loading the CLI itself.
const READS_MIGRATIONS = new Set(['advance', 'status', 'plan', 'lint', 'approve', 'pause', 'resume', 'rollback']);
if (process.argv.slice(2).some((arg) => READS_MIGRATIONS.has(arg))) prewarmIsolatedImport();

const { main } = await import('../dist/migrate.js');
process.exitCode = await main(process.argv);
