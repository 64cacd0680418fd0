import { describe, expect, it } from 'vitest';
import { type CaseOptions, findingsOf, rulesOf } from './helpers.js';

describe('validated-constraint', () => {
  it.each([
    ['ALTER TABLE users ADD CONSTRAINT positive CHECK (balance >= 0)'],
    ['ALTER TABLE users ADD CONSTRAINT org_fk FOREIGN KEY (org_id) REFERENCES orgs (id)'],
    ['ALTER TABLE users ADD COLUMN org_id int DEFAULT 1 REFERENCES orgs (id)'],
    ['ALTER TABLE users ADD COLUMN org_id int, ADD CONSTRAINT org_fk FOREIGN KEY (org_id) REFERENCES orgs (id)'],
    ['ALTER TABLE users ADD COLUMN n int CHECK (n > 0)'],
  ])('fires for %s', async (sql) => {
    expect(await rulesOf(sql, { phase: 'contract' })).toEqual(['validated-constraint']);
  });

  it.each<[string, CaseOptions]>([
    ['ALTER TABLE users ADD CONSTRAINT positive CHECK (balance >= 0) NOT VALID', {}],
    ['ALTER TABLE users ADD CONSTRAINT org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID', {}],
    ['ALTER TABLE users VALIDATE CONSTRAINT positive', {}],
    ['ALTER TABLE fresh ADD CONSTRAINT positive CHECK (a >= 0)', { before: 'CREATE TABLE fresh (a int)' }],
    ['ALTER TABLE fresh ADD CONSTRAINT org_fk FOREIGN KEY (a) REFERENCES orgs (id)', { before: 'CREATE TABLE fresh (a int)' }],
    ['CREATE TABLE fresh (id int REFERENCES users (id), CHECK (id > 0))', {}],
    // Every row holds NULL in a column added without a default, so PostgreSQL skips the validation.
    ['ALTER TABLE users ADD COLUMN org_id int REFERENCES orgs (id)', {}],
  ])('stays silent for %s', async (sql, opts) => {
    expect(await rulesOf(sql, { phase: 'contract', ...opts })).toEqual([]);
  });

  it('says a foreign key blocks writes to both tables', async () => {
    const [finding] = await findingsOf('ALTER TABLE users ADD CONSTRAINT org_fk FOREIGN KEY (org_id) REFERENCES orgs (id)');
    expect(finding?.message).toMatch(/org_fk FOREIGN KEY on users .* SHARE ROW EXCLUSIVE locks on users and orgs/);
  });
});

describe('constraint-builds-index', () => {
  it.each([
    ['ALTER TABLE users ADD CONSTRAINT email_key UNIQUE (email)'],
    ['ALTER TABLE users ADD PRIMARY KEY (id)'],
    ['ALTER TABLE rooms ADD CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&)'],
    ['ALTER TABLE users ADD COLUMN code text UNIQUE'],
  ])('fires for %s', async (sql) => {
    expect(await rulesOf(sql, { phase: 'contract' })).toEqual(['constraint-builds-index']);
  });

  it.each<[string, CaseOptions]>([
    ['ALTER TABLE users ADD CONSTRAINT email_key UNIQUE USING INDEX users_email_idx', {}],
    ['ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id_idx', {}],
    ['ALTER TABLE fresh ADD PRIMARY KEY (id)', { before: 'CREATE TABLE fresh (id int)' }],
  ])('stays silent for %s', async (sql, opts) => {
    expect(await rulesOf(sql, { phase: 'contract', ...opts })).toEqual([]);
  });

  it('points exclusion constraints at a different remedy', async () => {
    const [finding] = await findingsOf('ALTER TABLE rooms ADD CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&)');
    expect(finding?.hint).toMatch(/cannot adopt an existing index/);
  });
});

describe('set-not-null-without-check', () => {
  const proof = 'ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT email_nn';

  it('fires for SET NOT NULL with no proof in the migration', async () => {
    const findings = await findingsOf('ALTER TABLE users ALTER COLUMN email SET NOT NULL', { phase: 'contract' });
    expect(findings).toMatchObject([{ rule: 'set-not-null-without-check', severity: 'error' }]);
    expect(findings[0]?.hint).toMatch(/CHECK \(email IS NOT NULL\) NOT VALID/);
  });

  it('stays silent after NOT VALID + VALIDATE of CHECK (col IS NOT NULL) earlier in the migration', async () => {
    expect(await rulesOf('ALTER TABLE users ALTER COLUMN email SET NOT NULL', { phase: 'contract', before: proof })).toEqual([]);
  });

  it('stays silent after a CHECK (col IS NOT NULL) added validated earlier', async () => {
    const before = 'ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL)';
    expect(await rulesOf('ALTER TABLE users ALTER COLUMN email SET NOT NULL', { phase: 'contract', before })).toEqual([]);
  });

  it.each<[string, string]>([
    ['the CHECK was never validated', 'ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID'],
    ['the CHECK is about another column', 'ALTER TABLE users ADD CONSTRAINT x_nn CHECK (x IS NOT NULL)'],
    ['the CHECK is on another table', 'ALTER TABLE orgs ADD CONSTRAINT email_nn CHECK (email IS NOT NULL)'],
    ['the CHECK was dropped again', `${proof};\nALTER TABLE users DROP CONSTRAINT email_nn`],
  ])('still fires when %s', async (_what, before) => {
    expect(await rulesOf('ALTER TABLE users ALTER COLUMN email SET NOT NULL', { phase: 'contract', before })).toContain('set-not-null-without-check');
  });

  it('fires on PostgreSQL 11 even with a validated CHECK, which that version cannot use', async () => {
    const findings = await findingsOf('ALTER TABLE users ALTER COLUMN email SET NOT NULL', { phase: 'contract', before: proof, pgVersion: 11 });
    expect(findings).toMatchObject([{ rule: 'set-not-null-without-check', message: expect.stringMatching(/PostgreSQL 11 cannot use/) }]);
  });

  it('stays silent for a column of a table created in this migration', async () => {
    expect(await rulesOf('ALTER TABLE fresh ALTER COLUMN a SET NOT NULL', { before: 'CREATE TABLE fresh (a int)' })).toEqual([]);
  });
});
