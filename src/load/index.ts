export { CONFIG_FILES, loadConfig, type Config, type ConfigFile, type ConnectionConfig, type ConfigOverrides, type RehearseConfig } from './config.js';
export { DEFAULT_LOAD_TIME_LIMIT_MS, loadEachMigration, loadMigrationFile, loadMigrations, type LoadOptions, type MigrationLoad } from './load-migrations.js';
export { importModule } from './import-module.js';
export { defineMigration, ops, type OperationBuilders } from './migration-api.js';
