import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthClient } from '@fleetplane/service-kit/grpc';
import { freePort, SERVICE_NODE_ARGS, spawnProcess, startInfra, type Infra, type ManagedProcess } from '@fleetplane/test-harness';
import { telemetryDatabase } from './testing/telemetry-process.js';

// The shutdown every service gets from service-kit's runService, seen from outside as a load
// balancer would: on SIGTERM the process keeps serving but reports not-ready (HTTP and gRPC
// health) for SHUTDOWN_DELAY_MS, and only then drains and exits. telemetry stands in for all
// six: it has both an HTTP and a gRPC server. Its listen backlog is service-kit's too.
const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const DELAY_MS = 2_000;

describe('shutdown that load balancers can see (SHUTDOWN_DELAY_MS)', () => {
  let infra: Infra;
  let service: ManagedProcess;
  let httpPort: number;
  let health: HealthClient;

  beforeAll(async () => {
    infra = await startInfra();
    const databaseUrl = await telemetryDatabase(infra.postgres);
    httpPort = await freePort();
    const grpcPort = await freePort();
    service = spawnProcess('telemetry', process.execPath, [...SERVICE_NODE_ARGS], {
      cwd: appDir,
      env: {
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(grpcPort),
        DATABASE_URL: databaseUrl,
        NATS_URL: infra.nats.url,
        REDIS_URL: infra.redis.url,
        SHUTDOWN_DELAY_MS: String(DELAY_MS),
        OTEL_SERVICE_NAME: 'telemetry',
      },
    });
    await service.waitForHttp(`http://127.0.0.1:${httpPort}/ready`);
    health = new HealthClient(`127.0.0.1:${grpcPort}`);
  });

  afterAll(async () => {
    health?.close();
    await service?.stop('SIGKILL');
    await infra?.stop();
  });

  it("listens with an accept queue of 4,096, not Node's 511 (ss shows a listening socket's backlog as Send-Q)", () => {
    const out = execFileSync('ss', ['-Hltn', `sport = :${httpPort}`], { encoding: 'utf8' });
    const [state, , sendQ] = out.trim().split(/\s+/);
    expect(state).toBe('LISTEN');
    expect(Number(sendQ)).toBe(Math.min(4096, Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'))));
  });

  it('reports not-ready on /ready and gRPC health for the delay while still answering, then drains and exits 0', async () => {
    expect(await health.check('')).toBe('SERVING');
    const watch = health.watch('');
    await watch.until('SERVING');

    const signalledAt = Date.now();
    process.kill(service.pid, 'SIGTERM');

    // gRPC health flips at once, not at the next periodic refresh.
    await watch.until('NOT_SERVING', 1_000);
    const ready = await fetch(`http://127.0.0.1:${httpPort}/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks).toMatchObject({ shutdown: 'draining' });
    // Still alive and serving: liveness answers, so the orchestrator does not restart it meanwhile.
    expect((await fetch(`http://127.0.0.1:${httpPort}/health`)).status).toBe(200);
    expect(await health.check('fleetplane.telemetry.v1.TelemetryService')).toBe('NOT_SERVING');

    expect(await service.waitForExit(DELAY_MS + 15_000)).toBe(0);
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(DELAY_MS);
    watch.stop();
  });
});
