import { describe, expect, it } from 'vitest';
import { ensureStateSchema, installedVersion, STATE_SCHEMA_VERSION } from '../../src/state/index.js';
import { useTestDatabase } from '../support/database.js';

const db = useTestDatabase();

describe('a state schema that another session is installing', () => {
  it('reads as not installed or as installed, never as damaged, at any moment of the install', async () => {
    const installer = await db.connect();
    // `status` and `plan` beside the first `advance`: each read sees what committed before it, and the install commits mid-loop.
    const readers = await Promise.all([db.connect(), db.connect(), db.connect()]);
    const verdicts = new Set<string>();
    for (let i = 0; i < 40; i += 1) {
      const schema = `being_installed_${i}`;
      const installing = ensureStateSchema(installer, schema);
      await Promise.all(
        readers.map(async (reader) => {
          for (let installed = false; !installed; ) {
            const verdict = await installedVersion(reader, schema).then(String, (error: Error) => error.message);
            verdicts.add(verdict === '0' || verdict === String(STATE_SCHEMA_VERSION) ? 'not installed or installed' : verdict);
            installed = verdict !== '0';
          }
        }),
      );
      await installing;
    }
    expect([...verdicts]).toEqual(['not installed or installed']);
  });
});
