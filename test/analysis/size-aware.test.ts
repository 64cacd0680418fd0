import { describe, expect, it } from 'vitest';
import { analyzeMigration } from '../../src/analysis/index.js';
import { findingsOf } from './helpers.js';

const small = { users: [8192, 12] as const };
const large = { users: [2 * 1024 ** 3, 40_000_000] as const };

describe('size-aware rules', () => {
  it.each([
    ['CREATE INDEX i ON users (email)', 'non-concurrent-index'],
    ['ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0)', 'validated-constraint'],
    ['ALTER TABLE users ADD CONSTRAINT k UNIQUE (a)', 'constraint-builds-index'],
    ['ALTER TABLE users ALTER COLUMN a SET NOT NULL', 'set-not-null-without-check'],
    ['ALTER TABLE users ALTER COLUMN a TYPE bigint', 'rewriting-type-change'],
    ['ALTER TABLE users ADD COLUMN t uuid DEFAULT gen_random_uuid()', 'add-column-rewrite'],
    ['VACUUM FULL users', 'vacuum-full'],
  ])('%s is a warning that states the size on a small table', async (sql, rule) => {
    const findings = await findingsOf(sql, { phase: 'contract', sizes: small });
    expect(findings).toMatchObject([{ rule, severity: 'warning', message: expect.stringContaining('(users is 8 kB, 12 rows)') }]);
  });

  it.each([
    ['CREATE INDEX i ON users (email)', 'non-concurrent-index'],
    ['ALTER TABLE users ADD COLUMN t uuid DEFAULT gen_random_uuid()', 'add-column-rewrite'],
  ])('%s is an error that states the size on a large table', async (sql, rule) => {
    const findings = await findingsOf(sql, { phase: 'contract', sizes: large });
    expect(findings).toMatchObject([{ rule, severity: 'error', message: expect.stringContaining('(users is 2 GB, 40000000 rows)') }]);
  });

  it('is an error that says the size is unknown when no size is given', async () => {
    const findings = await findingsOf('CREATE INDEX i ON users (email)', { sizes: { orgs: [1, 1] } });
    expect(findings).toMatchObject([{ severity: 'error', message: expect.stringContaining('the size of users is unknown') }]);
  });

  it('matches a schema-qualified name, or its unqualified lowercase name', async () => {
    expect(await findingsOf('CREATE INDEX i ON app.users (email)', { sizes: { 'app.users': [100, 1] } })).toMatchObject([{ severity: 'warning' }]);
    expect(await findingsOf('CREATE INDEX i ON app.users (email)', { sizes: small })).toMatchObject([{ severity: 'warning' }]);
  });

  it('honours a custom largeTableBytes threshold', async () => {
    const { findings } = await analyzeMigration({
      pgVersion: 16,
      phases: [{ phase: 'expand', steps: [{ sql: 'CREATE INDEX i ON users (email)', transactional: false }] }],
      tableSizes: new Map([['users', { bytes: 8192, rows: 12 }]]),
      largeTableBytes: 4096,
    });
    expect(findings).toMatchObject([{ severity: 'error' }]);
  });

  it('does not soften rules whose danger does not depend on size', async () => {
    expect(await findingsOf('TRUNCATE users', { sizes: small })).toMatchObject([{ rule: 'truncate', severity: 'error' }]);
  });
});
