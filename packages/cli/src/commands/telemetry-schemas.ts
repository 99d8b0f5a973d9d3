import { z } from 'zod';
import type { Reads } from '../api/document-agreement.js';
import type { DocSchema } from '../api/document.js';

// The gateway's telemetry bodies (GET /agents/{id}/telemetry, GET /telemetry/summary), parsed as
// api/schemas.ts parses the rest; TelemetryAgreement fails the build when one drifts from the
// OpenAPI document (Reads only: the CLI keeps metric names as strings, the document lists them).

const metricPointSchema = z.object({ avg: z.number().nullable(), min: z.number().nullable(), max: z.number().nullable(), last: z.number().nullable() });

export const telemetryHistorySchema = z.object({
  agentId: z.string(),
  step: z.enum(['raw', '1m', '1h']),
  metrics: z.array(z.string()),
  points: z.array(z.object({ at: z.string(), samples: z.number().int(), values: z.record(z.string(), metricPointSchema) })),
  nextPageToken: z.string().nullable(),
});
export type TelemetryHistory = z.infer<typeof telemetryHistorySchema>;

const summaryStatsSchema = z.object({ agents: z.number().int(), p50: z.number(), p95: z.number(), max: z.number(), avg: z.number() });

export const telemetrySummarySchema = z.object({
  from: z.string(),
  to: z.string(),
  agentsReporting: z.number().int(),
  metrics: z.object({ cpu_percent: summaryStatsSchema.optional(), memory_percent: summaryStatsSchema.optional(), disk_percent: summaryStatsSchema.optional() }),
});
export type TelemetrySummary = z.infer<typeof telemetrySummarySchema>;

export type TelemetryAgreement = [
  Reads<typeof telemetryHistorySchema, DocSchema<'TelemetryHistory'>>,
  Reads<typeof telemetrySummarySchema, DocSchema<'TelemetrySummary'>>,
];
