import { join } from 'node:path';
import type { TelemetrySample } from '@fleetplane/contracts';
import { deployMigrations } from '@fleetplane/prisma-migrate';
import { freePort, SERVICE_NODE_ARGS, spawnProcess, type ManagedProcess, type PostgresHandle } from '@fleetplane/test-harness';

export const appDir = new URL('../..', import.meta.url).pathname;

/** A sample as agent-hub publishes it, with fixed values apart from its agent, time and CPU. */
export const testSample = (agentId: string, takenAtMs: number, cpuPercent: number): TelemetrySample => ({
  agentId,
  takenAt: new Date(takenAtMs).toISOString(),
  cpuPercent,
  memoryUsedBytes: 1e9,
  memoryTotalBytes: 4e9,
  load: [0.5, 0.4, 0.3],
  diskUsedBytes: 10e9,
  diskTotalBytes: 100e9,
  uptimeSeconds: 1,
});

/** A fresh telemetry database on the server, with every migration applied; its URL. */
export async function telemetryDatabase(postgres: PostgresHandle, name = 'telemetry'): Promise<string> {
  const databaseUrl = await postgres.createDatabase(name);
  await deployMigrations({ schemaPath: join(appDir, 'prisma/schema.prisma'), migrationsDir: join(appDir, 'prisma/migrations'), databaseUrl });
  return databaseUrl;
}

export interface TelemetryProcess {
  process: ManagedProcess;
  httpPort: number;
  grpcPort: number;
  metrics(): Promise<string>;
}

/** The built service as a process, waited on until /ready answers. */
export async function startTelemetry(env: Record<string, string>): Promise<TelemetryProcess> {
  const httpPort = await freePort();
  const grpcPort = await freePort();
  const process_ = spawnProcess('telemetry', process.execPath, [...SERVICE_NODE_ARGS], {
    cwd: appDir,
    env: { HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), OTEL_SERVICE_NAME: 'telemetry', ...env },
  });
  await process_.waitForHttp(`http://127.0.0.1:${httpPort}/ready`, 30_000);
  return {
    process: process_,
    httpPort,
    grpcPort,
    metrics: async () => (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text(),
  };
}

/** The value of one series in a Prometheus text exposition, 0 when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{([^}]*)\})? ([0-9.e+-]+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries(
      (m[3] ?? '')
        .split(',')
        .filter(Boolean)
        .map((kv) => kv.split('=').map((x) => x.replace(/"/g, '')) as [string, string]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return 0;
}

export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
