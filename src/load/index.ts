export { CONFIG_FILES, loadConfig, type Config, type ConfigFile, type ConnectionConfig, type ConfigOverrides } from './config.js';
export { loadMigrationFile, loadMigrations } from './load-migrations.js';
