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

/** A history page as large as the service sends, with absent values (NULL aggregates) among them. */
const historyPage = (agentId: string): telemetryV1.GetHistoryResponse => ({
  agentId,
  resolution: telemetryV1.Resolution.RESOLUTION_1M,
  metrics: ['cpu_percent', 'memory_percent'],
  points: Array.from({ length: 1_440 }, (_, i) => ({
    at: new Date(Date.UTC(2026, 11, 1) + i * 60_000).toISOString(),
    samples: i % 7,
    values: [{ avg: i / 3, min: -i, max: i * 1e6, last: 0.1 }, i % 5 === 0 ? {} : { avg: 50, last: 50.5 }],
  })),
  nextPageToken: 'next-é',
});

@Controller()
@telemetryV1.TelemetryHistoryServiceControllerMethods()
class HistoryProbeController implements telemetryV1.TelemetryHistoryServiceController {
  getHistory(req: telemetryV1.GetHistoryRequest): telemetryV1.GetHistoryResponse {
    return historyPage(req.agentId);
  }

  // The service's other methods, which the generated decorator requires; this probe does not serve them.
  getFleetSummary(): never {
    throw grpcError(GrpcStatus.UNIMPLEMENTED, 'not in this probe');
  }

  streamHistory(): never {
    throw grpcError(GrpcStatus.UNIMPLEMENTED, 'not in this probe');
  }
}

/** ts-proto's encoder for GetHistoryResponse, counting its calls: the test must see it used. */
const countedEncoder = {
  calls: 0,
  encode(message: telemetryV1.GetHistoryResponse) {
    countedEncoder.calls++;
    return telemetryV1.GetHistoryResponse.encode(message);
  },
};

describe('startGrpcServer: health, reflection-era options and the exception filter on a real gRPC server', () => {
  let app: INestApplication;
  let health: GrpcHealth;
  let address: string;
  let client: HealthClient;

  beforeAll(async () => {
    @Module({
      imports: [ServiceCoreModule.forRoot({ service: 'kit-test', config: {} })],
      controllers: [ProbeController, HistoryProbeController],
      providers: [Switch],
    })
    class TestModule {}
    app = await NestFactory.create(TestModule, { logger: false });
    address = `127.0.0.1:${await freePort()}`;
    health = await startGrpcServer(app, 'kit-test', {
      key: 'telemetry',
      url: address,
      responseEncoders: { 'TelemetryHistoryService.GetHistory': countedEncoder },
    });
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

  it('encodes a method named in responseEncoders with its encoder, into what proto-loader decodes as the handler answered', async () => {
    const history = await createGrpcClient('telemetry', address, 'TelemetryHistoryService');
    const before = countedEncoder.calls;
    const res = await unary<telemetryV1.GetHistoryResponse>(history, 'getHistory', { agentId: 'a1' });
    history.close();
    expect(countedEncoder.calls).toBe(before + 1);
    // proto-loader decodes with defaults: an absent optional double reads back as absent, not 0.
    const expected = historyPage('a1');
    expect(res.points).toHaveLength(1_440);
    expect(res).toMatchObject({ agentId: 'a1', resolution: 'RESOLUTION_1M', metrics: expected.metrics, nextPageToken: 'next-é' });
    for (let i = 0; i < 1_440; i += 97) {
      expect(res.points[i]).toMatchObject({ at: expected.points[i]!.at, samples: expected.points[i]!.samples });
      expect(res.points[i]!.values.map((v) => [v.avg, v.min, v.max, v.last])).toEqual(expected.points[i]!.values.map((v) => [v.avg, v.min, v.max, v.last]));
    }
  });
});

describe('startGrpcServer: responseEncoders', () => {
  it('refuses to start with an encoder for a method the package does not define', async () => {
    @Module({ imports: [ServiceCoreModule.forRoot({ service: 'kit-test', config: {} })], controllers: [HistoryProbeController] })
    class TypoModule {}
    const typo = await NestFactory.create(TypoModule, { logger: false });
    try {
      await expect(
        startGrpcServer(typo, 'kit-test', {
          key: 'telemetry',
          url: `127.0.0.1:${await freePort()}`,
          responseEncoders: { 'TelemetryHistoryService.GetHistroy': countedEncoder },
        }),
      ).rejects.toThrow('fleetplane.telemetry.v1 has no method TelemetryHistoryService.GetHistroy');
    } finally {
      await typo.close();
    }
  });
});
