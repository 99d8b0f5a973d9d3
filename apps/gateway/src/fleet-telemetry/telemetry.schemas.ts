import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';

// GET /agents/{id}/telemetry/latest, GET /agents/{id}/telemetry, GET /telemetry/summary.
// The views (telemetry-view.ts) are inferred from these, so the document cannot drift from them.

/** The metrics telemetry keeps as history (its metric catalogue). */
export const TELEMETRY_METRICS = [
  'cpu_percent',
  'memory_percent',
  'swap_percent',
  'disk_percent',
  'load1',
  'load5',
  'load15',
  'net_rx_bytes_per_second',
  'net_tx_bytes_per_second',
  'containers_unhealthy',
  'failed_units',
] as const;

export const STEPS = ['auto', 'raw', '1m', '1h'] as const;

export const agentTelemetryParam = agentIdSchema;

export const telemetryHistoryQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional().describe('RFC 3339; default: `to` − 1 h'),
  to: z.iso.datetime({ offset: true }).optional().describe('RFC 3339, exclusive; default: now'),
  step: z
    .enum(STEPS)
    .default('auto')
    .describe('resolution: auto picks raw for ranges up to 2 h, 1m up to 2,000 minutes, else 1h (and never one whose retention no longer covers `from`)'),
  metrics: z
    .string()
    .max(512)
    .regex(new RegExp(`^(${TELEMETRY_METRICS.join('|')})(,(${TELEMETRY_METRICS.join('|')}))*$`), {
      message: `comma-separated names from: ${TELEMETRY_METRICS.join(', ')}`,
    })
    .optional()
    .describe('comma-separated metric names; default: all'),
  pageSize: z.coerce.number().int().min(1).max(2_000).default(2_000),
  pageToken: z.string().max(512).optional(),
});
export type TelemetryHistoryQuery = z.infer<typeof telemetryHistoryQuery>;

export const telemetrySummaryQuery = z.object({
  site: z.string().max(128).optional(),
  label: z
    .string()
    .max(320)
    .regex(/^[^=,]{1,63}=[^,]{0,255}$/, { message: 'must be key=value' })
    .optional()
    .describe('only agents with this label (key=value)'),
  minutes: z.coerce.number().int().min(1).max(1_440).default(5).describe('the window: the last N minutes'),
});
export type TelemetrySummaryQuery = z.infer<typeof telemetrySummaryQuery>;

const num = z.number();

export const latestSampleView = z.object({
  agentId: z.string(),
  takenAt: z.iso.datetime({ offset: true }),
  cpuPercent: num,
  memoryUsedBytes: num,
  memoryTotalBytes: num,
  load: z.tuple([num, num, num]).describe('1, 5 and 15 minutes'),
  diskUsedBytes: num,
  diskTotalBytes: num,
  uptimeSeconds: num,
});

const metricPoint = z.object({
  avg: num.nullable(),
  min: num.nullable(),
  max: num.nullable(),
  last: num.nullable().describe('the value of the newest sample in the point'),
});

export const telemetryHistoryView = z.object({
  agentId: z.string(),
  step: z.enum(['raw', '1m', '1h']).describe('the resolution of the points'),
  metrics: z.array(z.enum(TELEMETRY_METRICS)),
  points: z
    .array(
      z.object({
        at: z.iso.datetime().describe("the sample's time (raw) or the bucket's start"),
        samples: z.number().int().min(0),
        values: z.record(z.string(), metricPoint).describe('per metric; raw: avg = min = max = last = the value; null where no sample carried it'),
      }),
    )
    .describe('oldest first'),
  nextPageToken: z.string().nullable().describe('null on the last page'),
});

export const telemetrySummaryView = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  agentsReporting: z.number().int().min(0).describe('agents with at least one sample in the window'),
  metrics: z
    .record(z.enum(['cpu_percent', 'memory_percent', 'disk_percent']), z.object({ agents: z.number().int().min(0), p50: num, p95: num, max: num, avg: num }))
    .describe('across agents, each agent counted once by its average over the window'),
});

export type LatestSampleView = z.infer<typeof latestSampleView>;
export type TelemetryHistoryView = z.infer<typeof telemetryHistoryView>;
export type TelemetrySummaryView = z.infer<typeof telemetrySummaryView>;
