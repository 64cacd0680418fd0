import type { ConfigFile } from 'phasegate';

export default {
  migrationsDir: 'migrations',
  timeouts: { lockTimeout: '2s', statementTimeout: '30s' },
  backfill: { batchSize: 500 },
} satisfies ConfigFile;
