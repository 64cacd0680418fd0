export { CONFIG_FILES, loadConfig, type Config, type ConfigFile, type ConnectionConfig, type ConfigOverrides } from './config.js';
export { DEFAULT_LOAD_TIME_LIMIT_MS, loadMigrationFile, loadMigrations, type LoadOptions } from './load-migrations.js';
