import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDrift, createMigration, deployMigrations } from './index.js';
import { startNats, startPostgres, type PostgresHandle } from '@fleetplane/test-harness';
import { connect } from '@nats-io/transport-node';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const bin = join(packageDir, 'bin', 'fleetplane-migrate.js');

const schemaV1 = (output: string) => `
generator client {
  provider = "prisma-client"
  output   = "${output}"
}

datasource db {
  provider = "postgresql"
}

model Agent {
  id        String   @id @default(uuid())
  hostname  String   @unique
  createdAt DateTime @default(now())
}
`;
const schemaV2 = (output: string) => schemaV1(output).replace('hostname  String   @unique', 'hostname  String   @unique\n  osVersion String?');

/** Runs the bin like an app's package script would; resolves with the exit code instead of throwing. */
async function cli(args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env, cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('prisma-migrate on real PostgreSQL', () => {
  let postgres: PostgresHandle;
  let databaseUrl: string;
  let work: string;
  let schemaPath: string;
  let migrationsDir: string;
  let clientOut: string;
  let options: { schemaPath: string; migrationsDir: string; databaseUrl: string };
  const cleanEnv = () => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    delete env.PRISMA_SCHEMA_ENGINE_BINARY;
    return env;
  };

  beforeAll(async () => {
    // The bin runs dist/; build it so the CLI tests exercise the current source.
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: packageDir });
    postgres = await startPostgres();
    databaseUrl = await postgres.createDatabase('fleet_agents');
    work = mkdtempSync(join(tmpdir(), 'prisma-migrate-test-'));
    schemaPath = join(work, 'prisma', 'schema.prisma');
    migrationsDir = join(work, 'prisma', 'migrations');
    clientOut = join(work, 'generated');
    mkdirSync(join(work, 'prisma'), { recursive: true });
    writeFileSync(schemaPath, schemaV1(clientOut));
    options = { schemaPath, migrationsDir, databaseUrl };
  });

  afterAll(async () => {
    await postgres?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('createMigration writes the first migration in Prisma layout', async () => {
    const name = await createMigration({ ...options, name: 'Init Agents' });

    expect(name).toMatch(/^\d{14}_init_agents$/);
    const sql = readFileSync(join(migrationsDir, name!, 'migration.sql'), 'utf8');
    expect(sql).toContain('CREATE TABLE "Agent"');
    expect(sql).toContain('"hostname" TEXT NOT NULL');
    expect(readFileSync(join(migrationsDir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
  });

  it('deployMigrations applies pending migrations once and records them', async () => {
    const [dirName] = readdirSync(migrationsDir).filter((entry) => entry !== 'migration_lock.toml');

    expect(await deployMigrations(options)).toEqual([dirName]);
    expect(await deployMigrations(options)).toEqual([]);

    const rows = await query<{ migration_name: string; finished_at: Date | null }>(databaseUrl, 'SELECT migration_name, finished_at FROM _prisma_migrations');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.migration_name).toBe(dirName);
    expect(rows[0]!.finished_at).toBeInstanceOf(Date);
    await query(databaseUrl, `INSERT INTO "Agent" (id, hostname) VALUES ('a1', 'host-1')`);
  });

  it('createMigration returns null when the schema needs no change', async () => {
    expect(await checkDrift(options)).toBe('');
    expect(await createMigration({ ...options, name: 'nothing' })).toBeNull();
  });

  it('checkDrift reports a schema edit, and the next migration resolves it', async () => {
    writeFileSync(schemaPath, schemaV2(clientOut));

    const drift = await checkDrift(options);
    expect(drift).toContain('osVersion');
    expect(drift).toContain('ALTER TABLE "Agent"');

    // Migration folders are named to the second; keep the second one strictly later.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await createMigration({ ...options, name: 'add_os_version' });
    expect(second).toMatch(/^\d{14}_add_os_version$/);
    expect(readFileSync(join(migrationsDir, second!, 'migration.sql'), 'utf8')).toContain('"osVersion" TEXT');
    expect(await checkDrift(options)).toBe('');

    expect(await deployMigrations(options)).toEqual([second]);
    const columns = await query<{ column_name: string }>(databaseUrl, `SELECT column_name FROM information_schema.columns WHERE table_name = 'Agent'`);
    expect(columns.map((column) => column.column_name)).toContain('osVersion');
  });

  it('leaves no shadow databases behind', async () => {
    const rows = await query(postgres.url, `SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'`);
    expect(rows).toEqual([]);
  });

  it('bin check exits 1 with the SQL on drift and 0 when in sync', async () => {
    const env = { ...cleanEnv(), DATABASE_URL: databaseUrl };
    const args = ['--schema', schemaPath, '--migrations', migrationsDir];

    const inSync = await cli(['check', ...args], env, work);
    expect(inSync.stderr).not.toContain('fleetplane-migrate:');
    expect(inSync.code).toBe(0);

    writeFileSync(schemaPath, schemaV2(clientOut).replace('osVersion String?', 'osVersion String?\n  rack      String?'));
    const drifted = await cli(['check', ...args], env, work);
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toContain('"rack" TEXT');
    writeFileSync(schemaPath, schemaV2(clientOut));
  });

  it('bin deploy with relative default paths reports nothing pending and exits promptly', async () => {
    const started = Date.now();
    const result = await cli(['deploy'], { ...cleanEnv(), DATABASE_URL: databaseUrl }, work);
    // The engine leaves 10 s timers behind; engine-timers.ts keeps them from holding the process.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('No pending migrations');
    expect(result.code).toBe(0);
  });

  it('bin names DATABASE_URL when it is missing', async () => {
    const result = await cli(['deploy', '--schema', schemaPath, '--migrations', migrationsDir], cleanEnv(), work);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('DATABASE_URL');
  });

  it('bin deploy with MIGRATE_NATS_URL announces pending migrations; with no backup service it refuses under MIGRATE_REQUIRE_BACKUP, else warns and migrates', async () => {
    const nats = await startNats();
    try {
      const fresh = await postgres.createDatabase('fleet_announced');
      const env = { ...cleanEnv(), DATABASE_URL: fresh, MIGRATE_NATS_URL: nats.url, MIGRATE_SERVICE: 'agents', MIGRATE_BACKUP_ANSWER_SECONDS: '0.5' };
      const paths = ['--schema', schemaPath, '--migrations', migrationsDir];
      // Someone listens, so it is the service's answer that is missing: a request nobody answers.
      const nc = await connect({ servers: nats.url });
      const seen: unknown[] = [];
      nc.subscribe('fleet.events.migration.starting', { callback: (_e, m) => void seen.push(m.json()) });
      await nc.flush();

      const refused = await cli(['deploy', ...paths], { ...env, MIGRATE_REQUIRE_BACKUP: 'true' }, work);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/no backup service answered migration\.starting .*not migrating \(MIGRATE_REQUIRE_BACKUP\)/);
      expect(await query<{ t: string | null }>(fresh, `SELECT to_regclass('_prisma_migrations')::text AS t`)).toEqual([{ t: null }]);
      const pending = readdirSync(migrationsDir)
        .filter((e) => e !== 'migration_lock.toml')
        .sort();
      expect(seen).toEqual([{ service: 'agents', migrations: pending, at: expect.any(String) as string }]);

      const warned = await cli(['deploy', ...paths], env, work);
      expect(warned.code, warned.stderr).toBe(0);
      expect(warned.stdout).toMatch(/warning: no backup service answered migration\.starting .*migrating without a backup\n/);
      expect(warned.stdout).toContain(`Applied ${pending.length} migration(s)`);
      // Nothing pending: nothing announced.
      expect((await cli(['deploy', ...paths], env, work)).stdout).toBe('No pending migrations.\n');
      expect(seen).toHaveLength(2);
      await nc.close();

      // NATS away is no answer either: refused under MIGRATE_REQUIRE_BACKUP (before anything changes).
      const away = await postgres.createDatabase('fleet_nats_away');
      const unreachable = await cli(
        ['deploy', ...paths],
        { ...env, DATABASE_URL: away, MIGRATE_NATS_URL: 'nats://127.0.0.1:1', MIGRATE_REQUIRE_BACKUP: 'true' },
        work,
      );
      expect([unreachable.code, unreachable.stderr]).toEqual([2, expect.stringMatching(/cannot reach NATS at nats:\/\/127\.0\.0\.1:1/) as string]);
      expect(await query<{ t: string | null }>(away, `SELECT to_regclass('_prisma_migrations')::text AS t`)).toEqual([{ t: null }]);

      const unnamed = await cli(['deploy', ...paths], { ...env, MIGRATE_SERVICE: '' }, work);
      expect([unnamed.code, unnamed.stderr]).toEqual([2, expect.stringContaining('MIGRATE_SERVICE is not set') as string]);
    } finally {
      await nats.stop();
    }
  });

  it('bin generate writes a Prisma client without the native schema engine', async () => {
    const env = cleanEnv();
    const result = await cli(['generate', '--schema', schemaPath], env, work);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(clientOut, 'client.ts'))).toBe(true);
    expect(readFileSync(join(clientOut, 'models', 'Agent.ts'), 'utf8')).toContain('osVersion');
  });
});
