import type { RuleId } from '../../src/analysis/index.js';
import type { CaseOptions } from './helpers.js';

/** One hand-written case: run as one step (or as a .sql file when `file`), judged for `rule`. */
export interface BlindSpotCase {
  readonly item: string;
  readonly sql: string;
  readonly rule: RuleId;
  readonly opts?: CaseOptions & { readonly file?: boolean };
}

const tx = { transactional: true } as const;
const users = (column: string, facts: Partial<{ type: string; notNull: boolean; hasDefault: boolean; notNullCheck: boolean }>) => ({
  catalog: { [`users.${column}`]: { type: 'text', notNull: false, hasDefault: false, notNullCheck: false, ...facts } },
});

/** Hazards an experienced reviewer refuses: each must make `rule` fire. */
export const UNSAFE: readonly BlindSpotCase[] = [
  // 1. Transactions as PostgreSQL sees them.
  { item: '1', rule: 'lock-held-in-transaction', opts: tx, sql: 'ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT amount_positive' },
  { item: '1', rule: 'lock-held-in-transaction', opts: { file: true }, sql: 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\nCOMMIT;' },
  { item: '1', rule: 'lock-held-in-transaction', sql: 'ALTER TABLE users ADD COLUMN plan text;\nUPDATE orders SET total = total * 100' },
  { item: '1', rule: 'lock-held-in-transaction', opts: tx, sql: 'ALTER TABLE users RENAME CONSTRAINT a TO b;\nCREATE INDEX orders_user_idx ON orders (user_id)' },
  { item: '1', rule: 'lock-held-in-transaction', opts: { file: true }, sql: 'BEGIN;\nLOCK TABLE accounts IN SHARE MODE;\nALTER TABLE ledger ALTER COLUMN amount TYPE bigint;\nCOMMIT;' },
  { item: '1', rule: 'enum-value-in-transaction', opts: tx, sql: "ALTER TYPE order_status ADD VALUE 'refunded';\nUPDATE orders SET status = 'refunded' WHERE id = 1" },
  { item: '1', rule: 'enum-value-in-transaction', opts: { file: true }, sql: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nINSERT INTO people (mood) VALUES ('meh');\nCOMMIT;" },
  { item: '1', rule: 'concurrently-in-transaction', opts: { file: true }, sql: 'BEGIN;\nALTER SYSTEM SET work_mem = 65536;\nCOMMIT;' },
  { item: '1', rule: 'concurrently-in-transaction', opts: { file: true }, sql: 'BEGIN;\nVACUUM users;\nCOMMIT;' },
  { item: '1', rule: 'concurrently-in-transaction', opts: tx, sql: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email)' },
  // 2. Irreversible means the drop phase.
  { item: '2', rule: 'drop-before-drop-phase', opts: { phase: 'contract' }, sql: 'ALTER TABLE users DROP COLUMN legacy_email' },
  { item: '2', rule: 'drop-before-drop-phase', opts: { phase: 'contract' }, sql: 'DROP TABLE audit_log' },
  { item: '2', rule: 'drop-before-drop-phase', opts: { phase: 'contract' }, sql: 'DROP MATERIALIZED VIEW daily_totals' },
  { item: '2', rule: 'drop-before-drop-phase', opts: { phase: 'contract' }, sql: 'DROP TYPE mood' },
  { item: '2', rule: 'drop-before-drop-phase', opts: { phase: 'contract' }, sql: 'DROP SCHEMA legacy CASCADE' },
  { item: '2', rule: 'drop-before-drop-phase', opts: { phase: 'backfill' }, sql: 'ALTER TABLE users DROP COLUMN a, ADD COLUMN a int' },
  { item: '2', rule: 'drop-before-drop-phase', opts: { phase: 'contract', before: 'ALTER TABLE users RENAME TO users_old' }, sql: 'DROP TABLE users_old' },
  // 3. Whole-table DML anywhere.
  { item: '3', rule: 'unbounded-dml', opts: { phase: 'backfill' }, sql: "UPDATE users SET plan = 'free'" },
  { item: '3', rule: 'unbounded-dml', sql: 'UPDATE users SET plan = NULL WHERE true' },
  { item: '3', rule: 'unbounded-dml', opts: { phase: 'contract' }, sql: 'DELETE FROM sessions WHERE 1 = 1' },
  { item: '3', rule: 'unbounded-dml', sql: "UPDATE users SET plan = 'x' WHERE plan IS NULL OR plan IS NOT NULL" },
  { item: '3', rule: 'unbounded-dml', sql: "UPDATE users SET plan = 'x' WHERE 'a' = 'a' AND NOT false" },
  // 4. Proven-safe patterns must keep their unsafe twins.
  { item: '4', rule: 'set-not-null-without-check', opts: users('email', { notNull: false }), sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL' },
  { item: '4', rule: 'set-not-null-without-check', opts: { ...users('email', { notNullCheck: true }), pgVersion: 11 }, sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL' },
  { item: '4', rule: 'validated-constraint', sql: 'ALTER TABLE users ADD COLUMN org_id int DEFAULT 1 REFERENCES orgs (id)' },
  { item: '4', rule: 'validated-constraint', sql: 'ALTER TABLE users ADD COLUMN org_id int, ADD CONSTRAINT org_fk FOREIGN KEY (org_id) REFERENCES orgs (id)' },
  { item: '4', rule: 'rewriting-type-change', opts: users('name', { type: 'character varying(100)' }), sql: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(50)' },
  { item: '4', rule: 'rewriting-type-change', opts: users('price', { type: 'numeric(10,2)' }), sql: 'ALTER TABLE users ALTER COLUMN price TYPE numeric(12,3)' },
  { item: '4', rule: 'rewriting-type-change', opts: users('created', { type: 'timestamp without time zone' }), sql: 'ALTER TABLE users ALTER COLUMN created TYPE timestamptz' },
  { item: '4', rule: 'rewriting-type-change', opts: { ...users('created', { type: 'timestamp' }), sessionTimeZone: 'Europe/Paris' }, sql: 'ALTER TABLE users ALTER COLUMN created TYPE timestamptz' },
  { item: '4', rule: 'rewriting-type-change', opts: { ...users('created', { type: 'timestamp' }), sessionTimeZone: 'UTC', pgVersion: 11 }, sql: 'ALTER TABLE users ALTER COLUMN created TYPE timestamptz' },
  { item: '4', rule: 'rewriting-type-change', opts: users('id', { type: 'integer' }), sql: 'ALTER TABLE users ALTER COLUMN id TYPE bigint' },
  // 5. Code inside code.
  { item: '5', rule: 'non-concurrent-index', sql: 'DO $$\nBEGIN\n  CREATE INDEX users_email_idx ON users (email);\nEND\n$$' },
  { item: '5', rule: 'unbounded-dml', sql: "DO $$\nBEGIN\n  IF true THEN\n    UPDATE users SET plan = 'free';\n  END IF;\nEND\n$$" },
  { item: '5', rule: 'lock-held-in-transaction', sql: 'DO $$\nBEGIN\n  ALTER TABLE users ADD COLUMN plan text;\n  UPDATE orders SET total = 0;\nEND\n$$' },
  { item: '5', rule: 'validated-constraint', sql: "DO $$\nBEGIN\n  EXECUTE 'ALTER TABLE users ADD CONSTRAINT positive CHECK (balance >= 0)';\nEND\n$$" },
  { item: '5', rule: 'unanalysed-code', sql: "DO $$\nBEGIN\n  EXECUTE 'DROP TABLE ' || quote_ident('users');\nEND\n$$" },
  { item: '5', rule: 'unbounded-dml', sql: 'CREATE FUNCTION reset_plans() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  UPDATE users SET plan = NULL;\nEND\n$$' },
  { item: '5', rule: 'unbounded-dml', sql: 'CREATE FUNCTION purge() RETURNS void LANGUAGE sql AS $$ DELETE FROM sessions $$' },
  // 9. Precision on real migrations: the true hazards next to each false-alarm class stay.
  { item: '9', rule: 'breaking-change-outside-contract', sql: 'ALTER TYPE status RENAME TO status_old' },
  { item: '9', rule: 'breaking-change-outside-contract', opts: users('status', { hasDefault: false }), sql: 'ALTER TABLE users ALTER COLUMN status SET NOT NULL' },
  { item: '9', rule: 'rewriting-type-change', opts: { ...users('created', { type: 'timestamp' }), before: "SET timezone = 'America/New_York'" }, sql: 'ALTER TABLE users ALTER COLUMN created TYPE timestamptz' },
];

/** Safe look-alikes of the hazards above: `rule` must stay silent. */
export const SAFE: readonly BlindSpotCase[] = [
  // 1.
  { item: '1', rule: 'lock-held-in-transaction', sql: 'ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0) NOT VALID' },
  { item: '1', rule: 'lock-held-in-transaction', opts: { file: true }, sql: 'ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT amount_positive;' },
  { item: '1', rule: 'lock-held-in-transaction', opts: { file: true }, sql: 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0) NOT VALID;\nCOMMIT;\nALTER TABLE orders VALIDATE CONSTRAINT amount_positive;' },
  { item: '1', rule: 'lock-held-in-transaction', opts: tx, sql: 'CREATE TABLE fresh (id int);\nCREATE INDEX fresh_id_idx ON fresh (id)' },
  { item: '1', rule: 'lock-held-in-transaction', opts: tx, sql: "ALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'x' WHERE id = 1" },
  { item: '1', rule: 'enum-value-in-transaction', opts: { file: true }, sql: "ALTER TYPE mood ADD VALUE 'meh';\nINSERT INTO people (mood) VALUES ('meh');" },
  { item: '1', rule: 'enum-value-in-transaction', opts: tx, sql: "ALTER TYPE mood ADD VALUE 'meh';\nINSERT INTO people (mood) VALUES ('happy')" },
  { item: '1', rule: 'concurrently-in-transaction', opts: { file: true }, sql: 'BEGIN;\nANALYZE users;\nCOMMIT;\nVACUUM users;' },
  // 2.
  { item: '2', rule: 'drop-before-drop-phase', opts: { phase: 'drop' }, sql: 'ALTER TABLE users DROP COLUMN legacy_email' },
  { item: '2', rule: 'drop-before-drop-phase', opts: { phase: 'drop' }, sql: 'DROP TABLE audit_log' },
  { item: '2', rule: 'drop-before-drop-phase', opts: { phase: 'contract' }, sql: 'DROP VIEW active_users' },
  { item: '2', rule: 'drop-before-drop-phase', opts: { phase: 'contract' }, sql: 'DROP INDEX CONCURRENTLY users_email_idx' },
  { item: '2', rule: 'drop-before-drop-phase', opts: { phase: 'contract' }, sql: 'ALTER TABLE users DROP CONSTRAINT users_email_check' },
  { item: '2', rule: 'drop-before-drop-phase', opts: { phase: 'contract', before: 'CREATE TABLE scratch (id int)' }, sql: 'DROP TABLE scratch' },
  // 3.
  { item: '3', rule: 'unbounded-dml', opts: { phase: 'backfill' }, sql: "UPDATE users SET plan = 'free' WHERE id BETWEEN 1 AND 1000" },
  { item: '3', rule: 'unbounded-dml', sql: "UPDATE users SET plan = 'free' WHERE plan IS NULL" },
  { item: '3', rule: 'unbounded-dml', sql: 'DELETE FROM sessions WHERE expires_at < now()' },
  { item: '3', rule: 'unbounded-dml', sql: "UPDATE users SET plan = 'x' WHERE 1 = 2 OR id = 7" },
  { item: '3', rule: 'unbounded-dml', opts: { before: 'CREATE TABLE scratch (id int)' }, sql: 'UPDATE scratch SET id = 0' },
  // 4.
  { item: '4', rule: 'set-not-null-without-check', opts: users('email', { notNullCheck: true }), sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL' },
  { item: '4', rule: 'set-not-null-without-check', opts: users('email', { notNull: true }), sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL' },
  { item: '4', rule: 'set-not-null-without-check', opts: { before: 'ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT email_nn' }, sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL' },
  { item: '4', rule: 'validated-constraint', sql: 'ALTER TABLE users ADD COLUMN org_id int REFERENCES orgs (id)' },
  { item: '4', rule: 'rewriting-type-change', opts: users('name', { type: 'character varying(100)' }), sql: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(200)' },
  { item: '4', rule: 'rewriting-type-change', opts: users('name', { type: 'character varying(100)' }), sql: 'ALTER TABLE users ALTER COLUMN name TYPE text' },
  { item: '4', rule: 'rewriting-type-change', opts: users('price', { type: 'numeric(10,2)' }), sql: 'ALTER TABLE users ALTER COLUMN price TYPE numeric(12,2)' },
  { item: '4', rule: 'rewriting-type-change', opts: { ...users('created', { type: 'timestamp without time zone' }), sessionTimeZone: 'Etc/UTC' }, sql: 'ALTER TABLE users ALTER COLUMN created TYPE timestamptz' },
  // 5.
  { item: '5', rule: 'non-concurrent-index', sql: 'DO $$\nBEGIN\n  CREATE INDEX fresh_idx ON fresh (id);\nEND\n$$', opts: { before: 'CREATE TABLE fresh (id int)' } },
  { item: '5', rule: 'unbounded-dml', sql: 'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  UPDATE users SET seen = now() WHERE id = NEW.user_id;\n  RETURN NEW;\nEND\n$$' },
  { item: '5', rule: 'unanalysed-code', sql: "DO $$\nBEGIN\n  EXECUTE 'ANALYZE users';\nEND\n$$" },
  // 9. The false-alarm classes measured on real migrations.
  { item: '9', rule: 'validated-constraint', sql: 'ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons (id) ON DELETE SET NULL' },
  { item: '9', rule: 'rewriting-type-change', opts: users('id', { type: 'bigint' }), sql: 'ALTER TABLE users ALTER COLUMN id TYPE bigint' },
  { item: '9', rule: 'breaking-change-outside-contract', opts: users('id', { type: 'bigint' }), sql: 'ALTER TABLE users ALTER COLUMN id TYPE int8' },
  { item: '9', rule: 'rewriting-type-change', opts: { ...users('created', { type: 'timestamp' }), before: "SET timezone = 'UTC'" }, sql: 'ALTER TABLE users ALTER COLUMN created TYPE timestamptz' },
  { item: '9', rule: 'breaking-change-outside-contract', opts: { before: 'ALTER TYPE status RENAME TO status_old' }, sql: 'DROP TYPE status_old' },
  { item: '9', rule: 'drop-before-drop-phase', opts: { phase: 'contract', before: 'ALTER TYPE status RENAME TO status_old' }, sql: 'DROP TYPE status_old' },
  { item: '9', rule: 'breaking-change-outside-contract', sql: 'ALTER TABLE users DROP COLUMN a, ADD COLUMN a int' },
  { item: '9', rule: 'breaking-change-outside-contract', opts: users('status', { hasDefault: true }), sql: 'ALTER TABLE users ALTER COLUMN status SET NOT NULL' },
];
