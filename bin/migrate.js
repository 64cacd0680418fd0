#!/usr/bin/env node
// The `migrate` (and `phasegate`) executable: a thin shell over the CLI bundle.
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { loadBundle } from '../dist/cli/bundle-loader.js';
import { prewarmIsolatedImport } from '../dist/load/isolated-import.js';

// V8 would tier the SQL parser's WebAssembly up in background threads after
// its first use, and Node waits for that work before it exits: 100-150 ms on
// every command that parses. The baseline compiler's code parses migrations
// as fast. Set before the bundle loads, so its code cache is made and checked
// under the same flags.
v8.setFlagsFromString('--liftoff-only');

// Migration files load in a worker thread: a command that reads them starts it
// first, so its start-up overlaps with loading the CLI itself.
const READS_MIGRATIONS = new Set(['advance', 'status', 'plan', 'lint', 'approve', 'pause', 'resume', 'rollback']);
if (process.argv.slice(2).some((arg) => READS_MIGRATIONS.has(arg))) prewarmIsolatedImport();

const command = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
const bundle = loadBundle(fileURLToPath(new URL('../dist/migrate.cjs', import.meta.url)), command);
process.exitCode = await bundle.exports.main(process.argv);
bundle.saveCache();
