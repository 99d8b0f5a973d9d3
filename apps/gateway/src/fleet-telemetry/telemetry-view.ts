import { telemetryV1 } from '@fleetplane/contracts/grpc';
import type { LatestSampleView, TelemetryHistoryView, TelemetrySummaryView } from './telemetry.schemas.js';

const STEP_OF: Record<string, TelemetryHistoryView['step']> = {
  [telemetryV1.Resolution.RESOLUTION_RAW]: 'raw',
  [telemetryV1.Resolution.RESOLUTION_1M]: '1m',
  [telemetryV1.Resolution.RESOLUTION_1H]: '1h',
};

export function toLatestSampleView(s: telemetryV1.Sample): LatestSampleView {
  return {
    agentId: s.agentId,
    takenAt: s.takenAt,
    cpuPercent: s.cpuPercent,
    memoryUsedBytes: s.memoryUsedBytes,
    memoryTotalBytes: s.memoryTotalBytes,
    load: [s.load1, s.load5, s.load15],
    diskUsedBytes: s.diskUsedBytes,
    diskTotalBytes: s.diskTotalBytes,
    uptimeSeconds: s.uptimeSeconds,
  };
}

const orNull = (v: number | undefined) => (v === undefined ? null : v);

export function toHistoryView(res: telemetryV1.GetHistoryResponse): TelemetryHistoryView {
  const metrics = res.metrics as TelemetryHistoryView['metrics'];
  return {
    agentId: res.agentId,
    step: STEP_OF[res.resolution] ?? 'raw',
    metrics,
    points: (res.points ?? []).map((p) => ({
      at: p.at,
      samples: p.samples ?? 0,
      values: Object.fromEntries(
        metrics.map((m, i) => {
          const v = p.values?.[i];
          return [m, { avg: orNull(v?.avg), min: orNull(v?.min), max: orNull(v?.max), last: orNull(v?.last) }];
        }),
      ),
    })),
    nextPageToken: res.nextPageToken || null,
  };
}

export function toSummaryView(res: telemetryV1.GetFleetSummaryResponse): TelemetrySummaryView {
  const metrics = Object.fromEntries(
    (res.metrics ?? []).map((m) => [m.metric, { agents: m.agents ?? 0, p50: m.p50 ?? 0, p95: m.p95 ?? 0, max: m.max ?? 0, avg: m.avg ?? 0 }]),
  ) as TelemetrySummaryView['metrics'];
  return { from: res.from, to: res.to, agentsReporting: res.agentsReporting ?? 0, metrics };
}
