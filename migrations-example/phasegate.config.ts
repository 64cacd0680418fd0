import type { ConfigFile } from 'phasegate';

export default {
  migrationsDir: 'migrations',
  timeouts: { lockTimeout: '2s', statementTimeout: '30s' },
  backfill: { batchSize: 500 },
  // `migrate rehearse` starts from schema.sql and checks app v1 and v2 after every step.
  rehearse: { setup: ['schema.sql'], oldApp: 'app/v1.sql', newApp: 'app/v2.sql' },
} satisfies ConfigFile;
