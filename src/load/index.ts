export { CONFIG_FILES, loadConfig, type Config, type ConfigFile, type ConfigOverrides, type RehearseConfig } from './config.js';
export { loadMigrationFile, loadMigrations } from './load-migrations.js';
export { importModule } from './import-module.js';
