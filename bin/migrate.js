#!/usr/bin/env node
// The `migrate` (and `phasegate`) executable: a thin shell over the CLI bundle.
import { fileURLToPath } from 'node:url';
import { loadBundle } from '../dist/cli/bundle-loader.js';
import { prewarmIsolatedImport } from '../dist/load/isolated-import.js';

const args = process.argv.slice(2);

// V8 would tier the SQL parser's WebAssembly up in background threads after
// its first use, and Node waits for that work before it exits: 100-150 ms on
// every command that parses. The baseline compiler's code parses migrations
// as fast. Only for commands that may parse (node:v8 itself takes a few ms to
// load), and before the bundle loads, so that a command's code cache is made
// and checked under the same flags.
const MAY_PARSE = new Set(['advance', 'status', 'plan', 'lint', 'approve', 'pause', 'resume', 'rollback', 'reapply', 'rehearse', 'new', 'demo']);
if (args.some((arg) => MAY_PARSE.has(arg))) (await import('node:v8')).default.setFlagsFromString('--liftoff-only');

// Migration files load in a worker thread: a command that reads them starts it
// first, so its start-up overlaps with loading the CLI itself.
const READS_MIGRATIONS = new Set(['advance', 'status', 'plan', 'lint', 'approve', 'pause', 'resume', 'rollback']);
if (args.some((arg) => READS_MIGRATIONS.has(arg))) prewarmIsolatedImport();

const command = args.find((arg) => !arg.startsWith('-'));
const bundle = loadBundle(fileURLToPath(new URL('../dist/migrate.cjs', import.meta.url)), command);
process.exitCode = await bundle.exports.main(process.argv);
bundle.saveCache();
