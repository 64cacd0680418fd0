import { defineMigration, ops } from 'phasegate';

// Rename users.email to users.email_address without downtime. phasegate writes
// every phase (`migrate plan` shows the SQL): the new column; a trigger that
// keeps both columns in step whichever app version writes; the batched
// backfill and its verify query; NOT NULL moved over the safe way; the old
// column dropped last. `migrate rehearse` proves app v1 and v2 both keep working.
export default defineMigration({
  description: 'rename users.email to users.email_address',
  operations: [ops.alterColumn({ table: 'users', column: 'email', name: 'email_address' })],
  gates: {
    // Only once every running api reads and writes email_address.
    contract: { app: 'api', version: '>=2.0.0' },
    // State A goes away once no instance of v1 can be running, and a day later.
    drop: { all: [{ marker: 'api-v1-retired' }, { soak: '24h' }] },
  },
});
