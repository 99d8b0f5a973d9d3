import type * as grpc from '@grpc/grpc-js';
import { ClientProxyFactory, type ClientGrpc } from '@nestjs/microservices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveGrpc, telemetryV1 } from '@fleetplane/contracts/grpc';
import { MetricFactory } from '../metrics/metric-factory.js';
import { GrpcClient } from './grpc-client.js';
import { grpcClientOptions } from './grpc-options.js';
import { GrpcStatus } from './grpc-errors.js';
import { UpstreamError } from './upstream-error.js';

// GrpcClient.each against a real gRPC server (a canned TelemetryHistoryService): messages handed
// over one by one as they arrive, a throw or an abort cancelling the call on the server.

type Call = grpc.ServerWritableStream<telemetryV1.StreamHistoryRequest, telemetryV1.StreamHistoryResponse>;

describe('GrpcClient.each on a real server-streaming call', () => {
  let server: Awaited<ReturnType<typeof serveGrpc>>;
  let proxy: ClientGrpc & { close(): unknown };
  let client: GrpcClient<telemetryV1.TelemetryHistoryServiceClient>;
  const cancelled: string[] = [];

  beforeAll(async () => {
    // chunk_size picks the behaviour: 1 streams 5 messages and ends; 2 streams until cancelled; 3 fails after one message.
    const streamHistory = (call: Call) => {
      const agent = (i: number) => ({ agentId: `a-${i}`, resolution: telemetryV1.Resolution.RESOLUTION_RAW, metrics: [], points: [] });
      call.on('cancelled', () => cancelled.push(call.request.agents?.site ?? ''));
      if (call.request.chunkSize === 1) {
        for (let i = 0; i < 5; i++) call.write(agent(i));
        call.end();
      } else if (call.request.chunkSize === 2) {
        let i = 0;
        const timer = setInterval(() => call.write(agent(i++)), 5);
        call.on('cancelled', () => clearInterval(timer));
      } else {
        call.write(agent(0));
        call.emit('error', { code: GrpcStatus.UNAVAILABLE, details: 'agent-hub is away' });
      }
    };
    server = await serveGrpc('telemetry', {}, { TelemetryHistoryService: { getHistory: () => undefined, getFleetSummary: () => undefined, streamHistory } });
    proxy = ClientProxyFactory.create(grpcClientOptions('telemetry', server.address)) as unknown as ClientGrpc & { close(): unknown };
    const duration = new MetricFactory('kit-test').histogram({ name: 'each_test_seconds', help: 'test', labelNames: ['upstream', 'method', 'code'] as const });
    client = new GrpcClient(
      { upstream: 'telemetry', key: 'telemetry', service: telemetryV1.TELEMETRY_HISTORY_SERVICE_NAME, url: server.address, timeoutMs: 10_000 },
      proxy.getService<telemetryV1.TelemetryHistoryServiceClient>(telemetryV1.TELEMETRY_HISTORY_SERVICE_NAME),
      duration,
    );
  });

  afterAll(async () => {
    proxy?.close();
    await server?.stop();
  });

  const request = (chunkSize: number, site: string): telemetryV1.StreamHistoryRequest => ({
    agents: { agentIds: [], site, labels: {}, all: false },
    metrics: [],
    from: '',
    to: '',
    resolution: telemetryV1.Resolution.RESOLUTION_AUTO,
    chunkSize,
  });
  const until = async (ok: () => boolean) => {
    for (const deadline = Date.now() + 5_000; !ok(); await new Promise((r) => setTimeout(r, 10))) if (Date.now() > deadline) throw new Error('not reached');
  };

  it('hands every message over in order and resolves when the stream ends', async () => {
    const seen: string[] = [];
    await client.each('streamHistory', request(1, 'all'), (m) => seen.push(m.agentId));
    expect(seen).toEqual(['a-0', 'a-1', 'a-2', 'a-3', 'a-4']);
  });

  it('cancels the call and rejects with the error when onMessage throws', async () => {
    const seen: string[] = [];
    const stop = new Error('over the limit');
    const err = await client
      .each('streamHistory', request(2, 'thrown'), (m) => {
        seen.push(m.agentId);
        if (seen.length === 3) throw stop;
      })
      .catch((e: unknown) => e);
    expect(err).toBe(stop);
    expect(seen).toEqual(['a-0', 'a-1', 'a-2']);
    await until(() => cancelled.includes('thrown'));
  });

  it('resolves early and cancels the call when its signal is aborted', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    await client.each(
      'streamHistory',
      request(2, 'aborted'),
      (m) => {
        seen.push(m.agentId);
        if (seen.length === 2) controller.abort();
      },
      { signal: controller.signal },
    );
    expect(seen).toEqual(['a-0', 'a-1']);
    await until(() => cancelled.includes('aborted'));
  });

  it("fails with the server's status as an UpstreamError, after the messages before it", async () => {
    const seen: string[] = [];
    const err = await client.each('streamHistory', request(3, 'failing'), (m) => seen.push(m.agentId)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ upstream: 'telemetry', method: 'streamHistory', code: GrpcStatus.UNAVAILABLE, details: 'agent-hub is away' });
    expect(seen).toEqual(['a-0']);
  });
});
