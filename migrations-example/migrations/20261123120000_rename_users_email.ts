import { defineMigration } from 'phasegate';

// Rename users.email to users.email_address without downtime: both columns
// live side by side, kept in sync by a trigger, until no app reads email.
export default defineMigration({
  description: 'rename users.email to users.email_address',

  // Additive only: app v1 never notices a new nullable column.
  expand: {
    sql: 'ALTER TABLE users ADD COLUMN email_address text',
    down: 'ALTER TABLE users DROP COLUMN email_address',
  },

  // Every write, from v1 or v2, fills both columns. BEFORE triggers see the
  // row as written, so whichever column the app set wins.
  dualWrite: {
    sql: [
      `CREATE FUNCTION users_sync_email() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'INSERT' THEN
           NEW.email_address := coalesce(NEW.email_address, NEW.email);
           NEW.email := coalesce(NEW.email, NEW.email_address);
         ELSIF NEW.email IS DISTINCT FROM OLD.email THEN
           NEW.email_address := NEW.email;
         ELSIF NEW.email_address IS DISTINCT FROM OLD.email_address THEN
           NEW.email := NEW.email_address;
         END IF;
         RETURN NEW;
       END $$`,
      `CREATE TRIGGER users_sync_email BEFORE INSERT OR UPDATE ON users
       FOR EACH ROW EXECUTE FUNCTION users_sync_email()`,
    ],
    down: ['DROP TRIGGER users_sync_email ON users', 'DROP FUNCTION users_sync_email()'],
  },

  // Rows written before the trigger existed, in keyset batches.
  backfill: {
    backfill: { table: 'users', set: 'email_address = email', where: 'email_address IS NULL' },
    verify: 'SELECT count(*) FROM users WHERE email_address IS NULL',
  },

  // Only once every running api reads and writes email_address.
  contract: {
    gate: { app: 'api', version: '>=2.0.0' },
    sql: [
      // NOT NULL the safe way: a NOT VALID check, validated under a weak lock,
      // lets SET NOT NULL skip its full-table scan (PostgreSQL 12+).
      'ALTER TABLE users ADD CONSTRAINT users_email_address_not_null CHECK (email_address IS NOT NULL) NOT VALID',
      'ALTER TABLE users VALIDATE CONSTRAINT users_email_address_not_null',
      'ALTER TABLE users ALTER COLUMN email_address SET NOT NULL',
      'ALTER TABLE users DROP CONSTRAINT users_email_address_not_null',
      // Before the trigger goes: once nothing fills email, app v2's inserts
      // (which do not name it) must not trip its NOT NULL.
      'ALTER TABLE users ALTER COLUMN email DROP NOT NULL',
      'DROP TRIGGER users_sync_email ON users',
      'DROP FUNCTION users_sync_email()',
    ],
  },

  // State A goes away once no instance of v1 can be running, and a day later.
  drop: {
    gate: { all: [{ marker: 'api-v1-retired' }, { soak: '24h' }] },
    sql: 'ALTER TABLE users DROP COLUMN email',
  },
});
