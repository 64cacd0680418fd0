import { createJiti } from 'jiti';
import { sourceOf } from './isolated-import.js';

/*
 * Config files import from 'phasegate' (migration files load in a worker,
 * see isolated-import.ts). The alias points that name at this very copy of
 * phasegate (dist/index.js when built, src/index.ts when run from source), so
 * a project works wherever it lives, installed package or not.
 */
const jiti = createJiti(import.meta.url, { alias: { phasegate: sourceOf('../index.js') }, moduleCache: false });

/** Loads a .ts/.js module (no build step needed) in this thread and returns its default export. */
export async function importModule(file: string): Promise<unknown> {
  return jiti.import(file, { default: true });
}
