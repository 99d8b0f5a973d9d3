#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { announceMigration } from './announce.js';
import { runPrismaGenerate } from './generate.js';
import { pendingMigrations } from './pending.js';

// Node warns that importing WebAssembly modules is experimental each time the engine loads;
// it is expected here and would bury the one line a user needs. Other warnings still print.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name === 'ExperimentalWarning' && /WebAssembly/.test(warning.message)) return;
  process.stderr.write(`${warning.name}: ${warning.message}\n`);
});
// Loaded lazily, after the filter above is in place (a static import would load the wasm first).
const loadMigrate = () => import('./migrate.js');

// Exit codes follow diff(1): 0 in sync / done, 1 drift found, 2 trouble.
const EXIT_DRIFT = 1;
const EXIT_ERROR = 2;

const USAGE = `usage: fleetplane-migrate <deploy|create --name NAME|check|generate> [--schema prisma/schema.prisma] [--migrations prisma/migrations]
  deploy    apply pending migrations to DATABASE_URL; with MIGRATE_NATS_URL and MIGRATE_SERVICE set, first
            announce them (migration.starting) and wait for the backups it triggers
            (MIGRATE_BACKUP_WAIT_SECONDS, default 300; 0 = do not wait; MIGRATE_REQUIRE_BACKUP=true
            refuses to migrate when no backup service answers within MIGRATE_BACKUP_ANSWER_SECONDS, default 10)
  create    write the next migration for schema changes (needs DATABASE_URL for a shadow database)
  check     print the SQL the migrations still lack; exit 1 when there is any
  generate  run prisma generate without the native schema engine`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      schema: { type: 'string', default: 'prisma/schema.prisma' },
      migrations: { type: 'string', default: 'prisma/migrations' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [command, ...extra] = positionals;
  if (!command) throw new UsageError('missing command');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);

  if (command === 'generate') return runPrismaGenerate(values.schema);

  const paths = { schemaPath: values.schema, migrationsDir: values.migrations };
  switch (command) {
    case 'deploy': {
      const databaseUrl = requireDatabaseUrl();
      await announceIfPending(paths.migrationsDir, databaseUrl);
      const applied = await (await loadMigrate()).deployMigrations({ ...paths, databaseUrl });
      process.stdout.write(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'No pending migrations.\n');
      return 0;
    }
    case 'create': {
      if (!values.name) throw new UsageError('create needs --name NAME');
      const created = await (await loadMigrate()).createMigration({ ...paths, name: values.name, databaseUrl: requireDatabaseUrl() });
      process.stdout.write(created ? `Created ${values.migrations}/${created}/migration.sql\n` : 'Schema and migrations agree; no migration created.\n');
      return 0;
    }
    case 'check': {
      const sql = await (await loadMigrate()).checkDrift({ ...paths, databaseUrl: requireDatabaseUrl() });
      if (!sql) {
        process.stdout.write('Migrations match the schema.\n');
        return 0;
      }
      process.stderr.write('Schema has changes no migration covers; run `fleetplane-migrate create --name <name>`. Missing SQL:\n');
      process.stdout.write(sql.endsWith('\n') ? sql : `${sql}\n`);
      return EXIT_DRIFT;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

/** With MIGRATE_NATS_URL: pending migrations are announced first, and their backups waited for. */
async function announceIfPending(migrationsDir: string, databaseUrl: string): Promise<void> {
  const natsUrl = process.env.MIGRATE_NATS_URL;
  if (!natsUrl) return;
  const service = process.env.MIGRATE_SERVICE;
  if (!service) throw new Error('MIGRATE_SERVICE is not set; with MIGRATE_NATS_URL it names the service whose database is migrated');
  const waitSeconds = Number(process.env.MIGRATE_BACKUP_WAIT_SECONDS ?? '300');
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0) throw new Error('MIGRATE_BACKUP_WAIT_SECONDS must be a whole number of seconds, 0 or more');
  const answerSeconds = Number(process.env.MIGRATE_BACKUP_ANSWER_SECONDS ?? '10');
  if (!(answerSeconds > 0)) throw new Error('MIGRATE_BACKUP_ANSWER_SECONDS must be a number of seconds above 0');
  const requireBackup = (process.env.MIGRATE_REQUIRE_BACKUP ?? 'false') === 'true';
  const migrations = await pendingMigrations(migrationsDir, databaseUrl);
  if (migrations.length === 0) return; // nothing will change: nothing to announce
  await announceMigration({
    natsUrl,
    service,
    migrations,
    waitSeconds,
    requireBackup,
    answerTimeoutMs: answerSeconds * 1_000,
    log: (line) => process.stdout.write(`${line}\n`),
  });
}

function requireDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set; point it at the PostgreSQL database to migrate');
  return url;
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' | ').trim();
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`fleetplane-migrate: ${oneLine(message)}\n`);
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${USAGE}\n`);
    }
    process.exitCode = EXIT_ERROR;
  },
);
