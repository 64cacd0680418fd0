import { describe, expect, it } from 'vitest';
import { ensureStateSchema, installedVersion, STATE_SCHEMA_VERSION } from '../../src/state/index.js';
import { useTestDatabase } from '../support/database.js';

const db = useTestDatabase();

describe('a state schema that another session is installing', () => {
  it('is installed once when several sessions install it at the same moment, none of them failing', async () => {
    // Three pipeline jobs recording markers on a database phasegate never ran on: each installs the state schema.
    const sessions = await Promise.all([db.connect(), db.connect(), db.connect()]);
    const failures: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const schema = `installed_at_once_${i}`;
      await Promise.all(sessions.map((session) => ensureStateSchema(session, schema).catch((error: Error) => void failures.push(error.message))));
      const { rows } = await db.client.query<{ version: number }>(`SELECT version FROM ${schema}.schema_version`);
      expect(rows).toEqual([{ version: STATE_SCHEMA_VERSION }]);
    }
    expect(failures).toEqual([]);
  });

  it('reads as not installed or as installed, never as damaged, at any moment of the install', async () => {
    const installer = await db.connect();
    // `status` and `plan` beside the first `advance`: each read sees what committed before it, and the install commits mid-loop.
    const readers = await Promise.all([db.connect(), db.connect(), db.connect()]);
    const verdicts = new Set<string>();
    for (let i = 0; i < 40; i += 1) {
      const schema = `being_installed_${i}`;
      let settled = false;
      const installing = ensureStateSchema(installer, schema).finally(() => (settled = true));
      await Promise.all(
        readers.map(async (reader) => {
          // Until a read says installed (or damaged), and no longer than the install itself: a failed install fails the test below.
          for (let verdict = '0'; verdict === '0' && !settled; ) {
            verdict = await installedVersion(reader, schema).then(String, (error: Error) => error.message);
            verdicts.add(verdict === '0' || verdict === String(STATE_SCHEMA_VERSION) ? 'not installed or installed' : verdict);
          }
        }),
      );
      await installing;
    }
    expect([...verdicts]).toEqual(['not installed or installed']);
  });
});
