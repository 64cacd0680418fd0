export { CONFIG_FILES, loadConfig, type Config, type ConfigFile, type ConfigOverrides } from './config.js';
export { loadMigrationFile, loadMigrations } from './load-migrations.js';
