import { describe, expect, it } from 'vitest';
import { redactDeep, redactSecrets } from '../src/secrets.js';

const SECRET = 'Hunter2-s3cret';

describe('redactSecrets', () => {
  it.each([
    [`postgres://app:${SECRET}@db.internal:5432/app`, 'postgres://app:***@db.internal:5432/app'],
    [`postgresql://app:p@ss${SECRET}@db/app?sslmode=require`, 'postgresql://app:***@db/app?sslmode=require'],
    [`host=db user=app password=${SECRET} dbname=app`, 'host=db user=app password=*** dbname=app'],
    [`host=db password = 'a \\' ${SECRET}' dbname=app`, 'host=db password = *** dbname=app'],
    [`postgres://db/app?user=app&password=${SECRET}&sslmode=require`, 'postgres://db/app?user=app&password=***&sslmode=require'],
    [`CREATE ROLE app LOGIN PASSWORD '${SECRET}'`, "CREATE ROLE app LOGIN PASSWORD '***'"],
    [`ALTER USER app WITH ENCRYPTED PASSWORD 'it''s ${SECRET}' VALID UNTIL 'infinity'`, "ALTER USER app WITH ENCRYPTED PASSWORD '***' VALID UNTIL 'infinity'"],
    [`alter role app password E'a\\'${SECRET}'`, "alter role app password '***'"],
    [`ALTER ROLE app PASSWORD $pw$${SECRET}$pw$;`, "ALTER ROLE app PASSWORD '***';"],
    [`CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'app', password '${SECRET}')`, "CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'app', password '***')"],
    [`ALTER SERVER s OPTIONS (SET "password" '${SECRET}')`, `ALTER SERVER s OPTIONS (SET "password" '***')`],
    [`CREATE SUBSCRIPTION sub CONNECTION 'host=db user=rep password=${SECRET}' PUBLICATION pub`, "CREATE SUBSCRIPTION sub CONNECTION '***' PUBLICATION pub"],
    [`ALTER ROLE app PASSWORD '${SECRET.slice(0, 8)}`, "ALTER ROLE app PASSWORD '***'"],
  ])('hides the secret in %s', (text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
    expect(redactSecrets(expected)).toBe(expected);
  });

  it('leaves SQL without secrets alone', () => {
    const sql = "UPDATE users SET note = 'password reset' WHERE email = 'a@b.c'; SELECT 'postgres://db/app'";
    expect(redactSecrets(sql)).toBe(sql);
  });

  it('redacts every string of a JSON-shaped value, keeping its shape', () => {
    expect(redactDeep({ steps: [{ sql: `CREATE ROLE a PASSWORD\n'${SECRET}'`, n: 1 }], ok: true })).toEqual({
      steps: [{ sql: "CREATE ROLE a PASSWORD\n'***'", n: 1 }],
      ok: true,
    });
  });
});
