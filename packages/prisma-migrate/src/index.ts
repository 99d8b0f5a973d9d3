export { deployMigrations, createMigration, checkDrift } from './migrate.js';
export type { MigrateOptions, CreateMigrationOptions } from './migrate.js';
export { runPrismaGenerate } from './generate.js';
