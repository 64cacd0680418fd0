import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { cacheDir, writeCacheFile } from '../disk-cache.js';

/** What loading one file in isolation gave: its default export, or why there is none. */
export type IsolatedImport = { readonly kind: 'loaded'; readonly value: unknown } | { readonly kind: 'failed'; readonly reason: string };

type WorkerMessage =
  | { readonly kind: 'start'; readonly file: string }
  | { readonly kind: 'loaded'; readonly file: string; readonly value: unknown }
  | { readonly kind: 'failed'; readonly file: string; readonly reason: string };

/** The built file, or its TypeScript source when running from src/. */
export const sourceOf = (relative: string): string => {
  const built = fileURLToPath(new URL(relative, import.meta.url));
  return existsSync(built) ? built : built.replace(/\.js$/, '.ts');
};

/*
 * Runs in the worker (CommonJS, so it needs no file of its own in dist/ or
 * src/). It loads jiti at once and then waits for the list of files, so a
 * worker started early is ready when the list is known. The process' exit
 * method is replaced by a throw, so that a file calling it fails like one
 * that throws; a timer left behind is refused because it would keep a
 * process alive after the command is done.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const jiti = require(workerData.jiti)(workerData.from, { alias: { phasegate: workerData.entry }, moduleCache: false });
Object.defineProperty(process, 'exit', { value: (code) => { throw new Error('it tries to end the process (exit(' + (code ?? '') + '))'); } });
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
parentPort.once('message', async (files) => {
  for (const file of files) {
    parentPort.postMessage({ kind: 'start', file });
    const before = timers();
    try {
      const value = await jiti.import(file, { default: true });
      if (timers() > before) throw new Error('it starts a timer at import');
      try {
        parentPort.postMessage({ kind: 'loaded', file, value });
      } catch {
        throw new Error('its default export is not plain data (functions, classes and symbols cannot be part of a migration)');
      }
    } catch (error) {
      parentPort.postMessage({ kind: 'failed', file, reason: error instanceof Error ? error.message : String(error) });
    }
  }
});
`;

/*
 * What 'phasegate' names in a migration file: the CommonJS build of
 * migration-api.ts (written by scripts/bundle-cli.mjs), which jiti runs as it
 * is, where an ES module would be transformed again for every file; else the
 * module itself (its .ts source when running from src/).
 */
export function migrationApi(): string {
  const commonJs = fileURLToPath(new URL('./migration-api.cjs', import.meta.url));
  return existsSync(commonJs) ? commonJs : sourceOf('./migration-api.js');
}

/*
 * bin/migrate.js starts the worker through dist/load/isolated-import.js
 * before the CLI bundle (which has its own copy of this module) is loaded, so
 * the warm worker is kept where both copies find it.
 */
const WARM = Symbol.for('phasegate.warmLoaderWorker');
const holder = globalThis as { [WARM]?: Worker | undefined };

function startWorker(): Worker {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { jiti: createRequire(import.meta.url).resolve('jiti'), from: import.meta.url, entry: migrationApi() },
    stdout: false,
    stderr: false,
  });
  // An unused worker never keeps the process alive.
  worker.unref();
  return worker;
}

/**
 * Starts the loader's worker ahead of time, so that its start-up overlaps
 * with the CLI's own; the next `importIsolated` uses it. Only a speed-up,
 * and only when the last load from this working directory needed the
 * worker (or none is known): when every file came from the export cache, as
 * on every run between two edits, a worker started ahead only costs. It
 * takes some 5 ms of the main thread to start, a core while it loads jiti,
 * and the wait for it to stop at exit.
 */
export function prewarmIsolatedImport(): void {
  const stamp = idleStamp();
  if (stamp !== undefined && existsSync(stamp.file)) return;
  holder[WARM] ??= startWorker();
}

/**
 * Says that this load needs no worker (every file was answered from the
 * export cache): a worker started ahead is ended, or it would go on loading
 * jiti on another core beside the command's database work, and the next
 * command from this directory starts none ahead.
 */
export function releaseWarmWorker(): void {
  void holder[WARM]?.terminate();
  holder[WARM] = undefined;
  const stamp = idleStamp();
  if (stamp !== undefined && !existsSync(stamp.file)) writeCacheFile(stamp.dir, stamp.name, '');
}

/**
 * The file whose presence says the last load from this working directory
 * needed no worker; undefined without a cache folder (then a worker is
 * always started ahead). One per directory, so projects do not mislead
 * each other.
 */
function idleStamp(): { readonly dir: string; readonly name: string; readonly file: string } | undefined {
  // This file is <package root>/dist/load/ or /src/load/.
  const cache = cacheDir(fileURLToPath(new URL('../../', import.meta.url)));
  if (cache === undefined) return undefined;
  const dir = path.join(cache, 'loader');
  const name = `idle-${createHash('sha256').update(process.cwd()).digest('hex').slice(0, 16)}`;
  return { dir, name, file: path.join(dir, name) };
}

/** Told of each file as soon as its outcome is known, while the worker goes on with the next. */
export type OnImported = (file: string, outcome: IsolatedImport) => void;

/**
 * Loads each file in a worker thread with a time limit per file, so a file
 * that exits the process, never settles or loops forever at import fails
 * with a reason instead of ending or hanging the command. After a file that
 * ends the worker, a fresh worker goes on with the files after it.
 */
export async function importIsolated(files: readonly string[], timeLimitMs: number, onImported?: OnImported): Promise<Map<string, IsolatedImport>> {
  const stamp = idleStamp();
  if (stamp !== undefined) rmSync(stamp.file, { force: true });
  const results = new Map<string, IsolatedImport>();
  const record = (file: string, outcome: IsolatedImport): void => {
    results.set(file, outcome);
    onImported?.(file, outcome);
  };
  for (let rest = files; rest.length > 0; rest = files.filter((f) => !results.has(f))) {
    const worker = holder[WARM] ?? startWorker();
    holder[WARM] = undefined;
    await runWorker(worker, rest, timeLimitMs, results, record);
  }
  return results;
}

/** One worker over `files`, until it has loaded them all or died on one (which then has its reason). */
function runWorker(
  worker: Worker,
  files: readonly string[],
  timeLimitMs: number,
  results: ReadonlyMap<string, IsolatedImport>,
  record: (file: string, outcome: IsolatedImport) => void,
): Promise<void> {
  return new Promise((resolve) => {
    let current = files[0] ?? '';
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const stop = (reason: string | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!results.has(current)) record(current, { kind: 'failed', reason: reason ?? 'it ended the loader' });
      // A worker that loops forever ignores everything but terminate().
      void worker.terminate();
      resolve();
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => stop(`it did not finish loading within ${timeLimitMs / 1000} s (an endless loop, or a promise that never settles at import)`), timeLimitMs);
    };
    arm();
    worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'start') {
        current = message.file;
        arm();
        return;
      }
      record(message.file, message.kind === 'loaded' ? { kind: 'loaded', value: message.value } : { kind: 'failed', reason: message.reason });
      if (files.every((f) => results.has(f))) stop(undefined);
    });
    worker.on('error', (error) => stop(error.message));
    worker.on('exit', () => stop('it never finished loading: its import waits on a promise that never settles'));
    worker.postMessage(files);
  });
}
