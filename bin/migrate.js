#!/usr/bin/env node
// The `migrate` (and `phasegate`) executable: a thin shell over the CLI bundle.
import { fileURLToPath } from 'node:url';
import { loadBundle } from '../dist/cli/bundle-loader.js';

const bundle = loadBundle(fileURLToPath(new URL('../dist/migrate.cjs', import.meta.url)));

// Migration files load in a worker thread: a command that reads them starts it
// now, so its start-up overlaps with initialising the CLI itself.
const READS_MIGRATIONS = new Set(['advance', 'status', 'plan', 'lint', 'approve', 'pause', 'resume', 'rollback']);
if (process.argv.slice(2).some((arg) => READS_MIGRATIONS.has(arg))) bundle.exports.prewarmIsolatedImport();

const { main } = await bundle.exports.loadMain();
process.exitCode = await main(process.argv);
bundle.saveCache();
