import { defineMigration } from 'phasegate';

// A new column with a constant default (no table rewrite on PostgreSQL 11+)
// and an index built without blocking writes.
export default defineMigration({
  description: 'add orders.status with an index',

  expand: {
    steps: [
      { sql: "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new'" },
      // CONCURRENTLY cannot run in a transaction; IF NOT EXISTS makes the step
      // safe to repeat if the runner dies right after it.
      {
        sql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON orders (status)',
        transaction: false,
      },
    ],
    down: ['DROP INDEX IF EXISTS orders_status_idx', 'ALTER TABLE orders DROP COLUMN status'],
  },
});
