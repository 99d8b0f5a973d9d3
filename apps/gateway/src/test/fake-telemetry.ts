import * as grpc from '@grpc/grpc-js';
import { serveGrpc, telemetryV1 } from '@fleetplane/contracts/grpc';
import type { FakeServer } from './fake-peers.js';

// A real TelemetryService + TelemetryHistoryService gRPC server with canned answers, for the
// gateway tests that only need telemetry to answer (the fuzz test, audit coverage).
// fleet-telemetry/telemetry.int.spec.ts runs the real telemetry service.

type Handler<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => void;

const AT = '2026-01-01T00:00:00.000Z';

export const FAKE_ALERT_ID = '00000000-0000-4000-8000-00000000a1e7';
export const FAKE_RULE_ID = '00000000-0000-4000-8000-000000000001';

const fakeRule: telemetryV1.AlertRule = {
  id: FAKE_RULE_ID,
  name: 'cpu',
  metric: 'cpu_percent',
  comparison: '>',
  warning: 80,
  critical: 95,
  clear: 75,
  forSeconds: 300,
  scope: { agentIds: [], site: '', labels: {} },
  enabled: true,
  builtin: true,
  createdAt: AT,
  updatedAt: AT,
};

const fakeAlert = (state: telemetryV1.AlertState, by = ''): telemetryV1.GetAlertResponse => ({
  alert: {
    id: FAKE_ALERT_ID,
    ruleId: FAKE_RULE_ID,
    ruleName: 'cpu',
    agentId: 'agent-1',
    metric: 'cpu_percent',
    mount: '',
    state,
    severity: telemetryV1.AlertSeverity.ALERT_SEVERITY_WARNING,
    openedValue: 85,
    lastValue: 86,
    openedAt: AT,
    acknowledgedAt: state === telemetryV1.AlertState.ALERT_STATE_ACKNOWLEDGED ? AT : '',
    acknowledgedBy: state === telemetryV1.AlertState.ALERT_STATE_ACKNOWLEDGED ? by : '',
    resolvedAt: state === telemetryV1.AlertState.ALERT_STATE_RESOLVED ? AT : '',
    resolvedBy: state === telemetryV1.AlertState.ALERT_STATE_RESOLVED ? by : '',
  },
  history: [
    {
      transition: 'fired',
      state: telemetryV1.AlertState.ALERT_STATE_FIRING,
      severity: telemetryV1.AlertSeverity.ALERT_SEVERITY_WARNING,
      value: 85,
      by: '',
      at: AT,
    },
  ],
});

/**
 * AlertService with canned answers: one alert (any id answers it; ack and resolve succeed),
 * one rule (create, update and delete succeed), 2 warning + 1 critical open.
 */
function fakeAlertService(): grpc.UntypedServiceImplementation {
  const ok =
    <Req, Res>(answer: (req: Req) => Res): Handler<Req, Res> =>
    (call, cb) =>
      cb(null, answer(call.request));
  return {
    listAlerts: ok(() => ({ alerts: [fakeAlert(telemetryV1.AlertState.ALERT_STATE_FIRING).alert], nextPageToken: '' })),
    getAlert: ok(() => fakeAlert(telemetryV1.AlertState.ALERT_STATE_FIRING)),
    acknowledgeAlert: ok((req: telemetryV1.AlertActionRequest) => fakeAlert(telemetryV1.AlertState.ALERT_STATE_ACKNOWLEDGED, req.by)),
    resolveAlert: ok((req: telemetryV1.AlertActionRequest) => fakeAlert(telemetryV1.AlertState.ALERT_STATE_RESOLVED, req.by)),
    countOpenAlerts: ok(() => ({ warning: 2, critical: 1 })),
    listAlertRules: ok(() => ({ rules: [fakeRule] })),
    createAlertRule: ok((req: telemetryV1.AlertRuleInput) => ({ ...fakeRule, name: req.name, builtin: false })),
    updateAlertRule: ok(() => fakeRule),
    deleteAlertRule: ok(() => ({ resolvedAlerts: 0 })),
  };
}

/** GetLatestSample: a sample for agent-1, else NOT_FOUND. GetHistory: one raw point. GetFleetSummary: one agent. AlertService: canned (above). */
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
  return serveGrpc(
    'telemetry',
    { getLatestSample },
    { [telemetryV1.TELEMETRY_HISTORY_SERVICE_NAME]: { getHistory, getFleetSummary, streamHistory }, [telemetryV1.ALERT_SERVICE_NAME]: fakeAlertService() },
  );
}
