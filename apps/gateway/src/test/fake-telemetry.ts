import * as grpc from '@grpc/grpc-js';
import { serveGrpc, telemetryV1 } from '@fleetplane/contracts/grpc';
import type { FakeServer } from './fake-peers.js';

// A real TelemetryService + TelemetryHistoryService gRPC server with canned answers, for the
// gateway tests that only need telemetry to answer (the fuzz test, audit coverage).
// fleet-telemetry/telemetry.int.spec.ts runs the real telemetry service.

type Handler<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => void;

const AT = '2026-01-01T00:00:00.000Z';

/** GetLatestSample: a sample for agent-1, else NOT_FOUND. GetHistory: one raw point. GetFleetSummary: one agent. */
export async function startFakeTelemetry(): Promise<FakeServer> {
  const getLatestSample: Handler<telemetryV1.GetLatestSampleRequest, telemetryV1.GetLatestSampleResponse> = (call, cb) =>
    call.request.agentId === 'agent-1'
      ? cb(null, {
          sample: {
            agentId: 'agent-1',
            takenAt: AT,
            cpuPercent: 12.5,
            memoryUsedBytes: 1e9,
            memoryTotalBytes: 4e9,
            load1: 0.1,
            load5: 0.2,
            load15: 0.3,
            diskUsedBytes: 1e10,
            diskTotalBytes: 1e11,
            uptimeSeconds: 3600,
          },
        })
      : cb({ code: grpc.status.NOT_FOUND, details: `no sample from agent ${call.request.agentId}` });
  const getHistory: Handler<telemetryV1.GetHistoryRequest, telemetryV1.GetHistoryResponse> = (call, cb) =>
    cb(null, {
      agentId: call.request.agentId,
      resolution: telemetryV1.Resolution.RESOLUTION_RAW,
      metrics: ['cpu_percent'],
      points: [{ at: AT, samples: 1, values: [{ avg: 12.5, min: 12.5, max: 12.5, last: 12.5 }] }],
      nextPageToken: '',
    });
  const getFleetSummary: Handler<telemetryV1.GetFleetSummaryRequest, telemetryV1.GetFleetSummaryResponse> = (_call, cb) =>
    cb(null, {
      from: AT,
      to: AT,
      agentsReporting: 1,
      metrics: ['cpu_percent', 'memory_percent', 'disk_percent'].map((metric) => ({ metric, agents: 1, p50: 10, p95: 10, max: 10, avg: 10 })),
    });
  const streamHistory = (call: grpc.ServerWritableStream<telemetryV1.StreamHistoryRequest, telemetryV1.StreamHistoryResponse>) => call.end();
  return serveGrpc('telemetry', { getLatestSample }, { [telemetryV1.TELEMETRY_HISTORY_SERVICE_NAME]: { getHistory, getFleetSummary, streamHistory } });
}
