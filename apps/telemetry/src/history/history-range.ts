import { telemetryV1 } from '@fleetplane/contracts/grpc';
import { invalidArgument } from '@fleetplane/service-kit/grpc';
import { isMetricName, METRICS, type MetricName } from '../samples/metric-catalogue.js';
import type { Resolution } from '../storage/history-tables.js';

/** Points one GetHistory answer may hold: a rollup range beyond it is refused, raw is paged. */
export const MAX_POINTS = 2_000;
export const BUCKET_MS = { '1m': 60_000, '1h': 3_600_000 } as const;
/** RESOLUTION_AUTO picks raw only for ranges this short (a few hundred samples at 10-30 s). */
export const AUTO_RAW_MAX_RANGE_MS = 2 * 3_600_000;
const DEFAULT_RANGE_MS = 3_600_000;

export interface HistoryRange {
  fromMs: number;
  toMs: number;
  resolution: Resolution;
  metrics: MetricName[];
}

const toProto: Record<Resolution, telemetryV1.Resolution> = {
  raw: telemetryV1.Resolution.RESOLUTION_RAW,
  '1m': telemetryV1.Resolution.RESOLUTION_1M,
  '1h': telemetryV1.Resolution.RESOLUTION_1H,
};
export const resolutionToProto = (r: Resolution) => toProto[r];

function instant(field: string, value: string, fallback: number): number {
  if (!value) return fallback;
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw invalidArgument(field, 'must be an RFC 3339 date-time');
  return ms;
}

/**
 * The finest resolution that still holds `from` (retention) and keeps the answer at or under
 * MAX_POINTS — raw only for short ranges, since its point count depends on the agents' interval.
 */
export function chooseResolution(fromMs: number, toMs: number, nowMs: number, retentionMs: Record<Resolution, number>): Resolution {
  const range = toMs - fromMs;
  if (range <= AUTO_RAW_MAX_RANGE_MS && fromMs >= nowMs - retentionMs.raw) return 'raw';
  if (Math.ceil(range / BUCKET_MS['1m']) <= MAX_POINTS && fromMs >= nowMs - retentionMs['1m']) return '1m';
  return '1h';
}

export interface RangeRequest {
  from: string;
  to: string;
  resolution: telemetryV1.Resolution;
  metrics: readonly string[];
}

/**
 * A history request's range, resolution and metrics, or INVALID_ARGUMENT naming the field.
 * `capRollups`: refuse a rollup range of more than MAX_POINTS buckets (GetHistory; the stream
 * is chunked and paced, so it takes any range).
 */
export function parseRange(req: RangeRequest, nowMs: number, retentionMs: Record<Resolution, number>, capRollups: boolean): HistoryRange {
  const toMs = instant('to', req.to, nowMs);
  const fromMs = instant('from', req.from, toMs - DEFAULT_RANGE_MS);
  if (fromMs >= toMs) throw invalidArgument('from', 'must be before to');
  const unknown = req.metrics.find((m) => !isMetricName(m));
  if (unknown !== undefined) throw invalidArgument('metrics', `unknown metric ${JSON.stringify(unknown.slice(0, 64))}; known: ${METRICS.join(', ')}`);
  const metrics = req.metrics.length > 0 ? [...new Set(req.metrics as MetricName[])] : [...METRICS];
  let resolution: Resolution;
  switch (req.resolution) {
    case telemetryV1.Resolution.RESOLUTION_AUTO:
      resolution = chooseResolution(fromMs, toMs, nowMs, retentionMs);
      break;
    case telemetryV1.Resolution.RESOLUTION_RAW:
      resolution = 'raw';
      break;
    case telemetryV1.Resolution.RESOLUTION_1M:
      resolution = '1m';
      break;
    case telemetryV1.Resolution.RESOLUTION_1H:
      resolution = '1h';
      break;
    default:
      throw invalidArgument('resolution', 'must be RESOLUTION_AUTO, RESOLUTION_RAW, RESOLUTION_1M or RESOLUTION_1H');
  }
  if (capRollups && resolution !== 'raw') {
    const points = Math.ceil((toMs - Math.floor(fromMs / BUCKET_MS[resolution]) * BUCKET_MS[resolution]) / BUCKET_MS[resolution]);
    if (points > MAX_POINTS) {
      throw invalidArgument('to', `the range holds ${points} points at ${resolution}, more than ${MAX_POINTS}: narrow it or choose a coarser resolution`);
    }
  }
  return { fromMs, toMs, resolution, metrics };
}
