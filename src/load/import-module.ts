import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createJiti } from 'jiti';

/*
 * Migration files and configs import `defineMigration` from 'phasegate'.
 * The alias points that name at this very copy of phasegate (dist/index.js
 * when built, src/index.ts when run from source), so a migrations directory
 * works wherever it lives, installed package or not.
 */
const sourceOf = (relative: string): string => {
  const built = fileURLToPath(new URL(relative, import.meta.url));
  return existsSync(built) ? built : built.replace(/\.js$/, '.ts');
};
const jiti = createJiti(import.meta.url, { alias: { phasegate: sourceOf('../index.js') }, moduleCache: false });

/** Loads a .ts/.js module (no build step needed) and returns its default export. */
export async function importModule(file: string): Promise<unknown> {
  return jiti.import(file, { default: true });
}

/** What loading one file in isolation gave: its default export, or why there is none. */
export type IsolatedImport = { readonly kind: 'loaded'; readonly value: unknown } | { readonly kind: 'failed'; readonly reason: string };

type WorkerMessage =
  | { readonly kind: 'start'; readonly file: string }
  | { readonly kind: 'loaded'; readonly file: string; readonly value: unknown }
  | { readonly kind: 'failed'; readonly file: string; readonly reason: string };

/*
 * Runs in the worker (CommonJS, so it needs no file of its own in dist/ or
 * src/). The process' exit method is replaced by a throw, so that a file
 * calling it fails like one that throws; a timer left behind is refused
 * because it would keep a process alive after the command is done.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const jiti = require(workerData.jiti)(workerData.from, { alias: { phasegate: workerData.entry }, moduleCache: false });
Object.defineProperty(process, 'exit', { value: (code) => { throw new Error('it tries to end the process (exit(' + (code ?? '') + '))'); } });
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
(async () => {
  for (const file of workerData.files) {
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
})();
`;

/**
 * Loads each file in a worker thread with a time limit per file, so a file
 * that exits the process, never settles or loops forever at import fails
 * with a reason instead of ending or hanging the command. After a file that
 * ends the worker, a fresh worker goes on with the files after it.
 */
export async function importIsolated(files: readonly string[], timeLimitMs: number): Promise<Map<string, IsolatedImport>> {
  const results = new Map<string, IsolatedImport>();
  for (let rest = files; rest.length > 0; rest = files.filter((f) => !results.has(f))) await runWorker(rest, timeLimitMs, results);
  return results;
}

/** One worker over `files`, until it has loaded them all or died on one (which then has its reason). */
function runWorker(files: readonly string[], timeLimitMs: number, results: Map<string, IsolatedImport>): Promise<void> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { files, jiti: createRequire(import.meta.url).resolve('jiti'), from: import.meta.url, entry: sourceOf('./migration-api.js') },
    stdout: false,
    stderr: false,
  });
  return new Promise((resolve) => {
    let current = files[0] ?? '';
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const stop = (reason: string | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!results.has(current)) results.set(current, { kind: 'failed', reason: reason ?? 'it ended the loader' });
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
      results.set(message.file, message.kind === 'loaded' ? { kind: 'loaded', value: message.value } : { kind: 'failed', reason: message.reason });
      if (files.every((f) => results.has(f))) stop(undefined);
    });
    worker.on('error', (error) => stop(error.message));
    worker.on('exit', () => stop('it never finished loading: its import waits on a promise that never settles'));
  });
}
