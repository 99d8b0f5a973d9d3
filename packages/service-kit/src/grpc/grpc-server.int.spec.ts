import 'reflect-metadata';
import { Controller, Injectable, Module, type INestApplication, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrpcClient, telemetryV1, unary } from '@fleetplane/contracts/grpc';
import { ReadinessRegistry } from '@fleetplane/observability';
import { freePort } from '@fleetplane/test-harness';
import { ServiceCoreModule } from '../core/service-core.module.js';
import { grpcError, GrpcStatus } from './grpc-errors.js';
import { startGrpcServer } from './grpc-server.js';
import type { GrpcHealth } from './grpc-health.js';
import { HealthClient } from './health-client.js';

/** A dependency the test switches off and on. */
@Injectable()
class Switch implements OnModuleInit {
  up = true;
  constructor(private readonly readiness: ReadinessRegistry) {}
  onModuleInit(): void {
    this.readiness.register('postgres', () => (this.up ? Promise.resolve() : Promise.reject(new Error('connection refused'))));
  }
}

/** Each agent id picks a failure, as a handler would meet it. */
@Controller()
@telemetryV1.TelemetryServiceControllerMethods()
class ProbeController implements telemetryV1.TelemetryServiceController {
  getLatestSample(req: telemetryV1.GetLatestSampleRequest): telemetryV1.GetLatestSampleResponse {
    if (req.agentId === 'db-down') throw Object.assign(new Error("Can't reach database server"), { code: 'P1001' });
    if (req.agentId === 'redis-down') throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
    if (req.agentId === 'bug') throw new TypeError("Cannot read properties of undefined (reading 'x')");
    throw grpcError(GrpcStatus.NOT_FOUND, `agent ${req.agentId} not found`);
  }
}

describe('startGrpcServer: health, reflection-era options and the exception filter on a real gRPC server', () => {
  let app: INestApplication;
  let health: GrpcHealth;
  let address: string;
  let client: HealthClient;

  beforeAll(async () => {
    @Module({ imports: [ServiceCoreModule.forRoot({ service: 'kit-test', config: {} })], controllers: [ProbeController], providers: [Switch] })
    class TestModule {}
    app = await NestFactory.create(TestModule, { logger: false });
    address = `127.0.0.1:${await freePort()}`;
    health = await startGrpcServer(app, 'kit-test', { key: 'telemetry', url: address });
    await app.init();
    await health.refresh();
    client = new HealthClient(address);
  });

  afterAll(async () => {
    client?.close();
    health?.stop();
    await app?.close();
  });

  it('answers Check for the server and for its service by full name', async () => {
    expect(await client.check('')).toBe('SERVING');
    expect(await client.check('fleetplane.telemetry.v1.TelemetryService')).toBe('SERVING');
    await expect(client.check('fleetplane.nope.v1.Nope')).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
  });

  it('reports the readiness checks: a failing dependency is NOT_SERVING, on Check and to Watch streams', async () => {
    const watch = client.watch('');
    await watch.until('SERVING');
    app.get(Switch).up = false;
    await health.refresh();
    await watch.until('NOT_SERVING');
    expect(await client.check('fleetplane.telemetry.v1.TelemetryService')).toBe('NOT_SERVING');
    app.get(Switch).up = true;
    await health.refresh();
    await watch.until('SERVING');
    expect(watch.statuses).toEqual(['SERVING', 'NOT_SERVING', 'SERVING']);
    watch.stop();
  });

  it('answers an outage with UNAVAILABLE, a bug with INTERNAL and a deliberate error as thrown — never UNKNOWN', async () => {
    const telemetry = await createGrpcClient('telemetry', address);
    const codeOf = (agentId: string) =>
      unary(telemetry, 'getLatestSample', { agentId }).then(
        () => 'ok',
        (err: { code: number }) => err.code,
      );
    expect(await codeOf('db-down')).toBe(GrpcStatus.UNAVAILABLE);
    expect(await codeOf('redis-down')).toBe(GrpcStatus.UNAVAILABLE);
    expect(await codeOf('bug')).toBe(GrpcStatus.INTERNAL);
    expect(await codeOf('a1')).toBe(GrpcStatus.NOT_FOUND);
    telemetry.close();
  });
});
