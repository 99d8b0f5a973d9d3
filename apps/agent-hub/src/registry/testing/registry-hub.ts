import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployMigrations } from '@fleetplane/prisma-migrate';
import { freePort, SERVICE_NODE_ARGS, spawnProcess, startNats, startPostgres, type ManagedProcess } from '@fleetplane/test-harness';

// The built hub as its own process on real PostgreSQL and NATS, for the
// registry's tests and bench/registry.mjs: like testing/hub-process.ts, but
// handing out the database URL, as these fill the table with one INSERT …
// SELECT rather than 100,000 enrollments.
const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface RegistryHub {
  databaseUrl: string;
  grpcAddress: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startRegistryHub(env: Record<string, string> = {}): Promise<RegistryHub> {
  const [nats, postgres] = await Promise.all([startNats(), startPostgres()]);
  const stopServers = () => Promise.all([nats.stop(), postgres.stop()]);
  try {
    const databaseUrl = await postgres.createDatabase('agent_hub');
    await deployMigrations({ schemaPath: join(APP_DIR, 'prisma', 'schema.prisma'), migrationsDir: join(APP_DIR, 'prisma', 'migrations'), databaseUrl });
    const [httpPort, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    const hub = spawnProcess('agent-hub', process.execPath, [...SERVICE_NODE_ARGS], {
      cwd: APP_DIR,
      env: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(grpcPort),
        METRICS_PORT: String(metricsPort),
        DATABASE_URL: databaseUrl,
        NATS_URL: nats.url,
        OTEL_SERVICE_NAME: 'agent-hub',
        OTEL_METRICS_EXPORTER: 'none',
        ...env,
      },
    });
    try {
      await hub.waitForHttp(`http://127.0.0.1:${httpPort}/ready`, 30_000);
    } catch (err) {
      await hub.stop();
      throw err;
    }
    return {
      databaseUrl,
      grpcAddress: `127.0.0.1:${grpcPort}`,
      process: hub,
      async stop() {
        await hub.stop();
        await stopServers();
      },
    };
  } catch (err) {
    await stopServers();
    throw err;
  }
}
