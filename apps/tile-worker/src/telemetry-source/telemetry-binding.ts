import { z } from 'zod';
import type { tilesV1 } from '@fleetplane/contracts/grpc';
import { invalidArgument } from '@fleetplane/service-kit/grpc';
import type { PlanNode } from '@fleetplane/tile-compiler';
import { parseInstant } from './relative-time.js';
import { metricName, telemetryFields, telemetryFieldSchema } from './telemetry-fields.js';

export const RESOLUTIONS = ['auto', 'raw', '1m', '1h'] as const;
const HOUR_MS = 3_600_000;
const MAX_AGENT_IDS = 100_000;

/** A telemetry binding as stored with the job: the range resolved to instants at submit. */
export const storedTelemetrySchema = z.object({
  agents: z.object({ agentIds: z.array(z.string()), site: z.string(), labels: z.record(z.string(), z.string()), all: z.boolean() }),
  metrics: z.array(z.string()),
  from: z.string(),
  to: z.string(),
  /** The range as the caller wrote it (`-1h`): the cache key's half of the query, so a repeat of "the last hour" can hit. */
  asked: z.object({ from: z.string(), to: z.string() }),
  resolution: z.enum(RESOLUTIONS),
  fields: z.array(telemetryFieldSchema),
});
export type StoredTelemetry = z.infer<typeof storedTelemetrySchema>;

/**
 * Checks a telemetry binding against its tile at submit: the tile's fields are ones a point
 * supplies (telemetryFields), a metric list (when given) covers the tile's metrics, an agent
 * set is named, the range parses (relative ranges resolve against `nowMs`, once, so the job
 * and its record say which hour it was) and the resolution is known. Errors name `field`.
 */
export function decodeTelemetry(q: tilesV1.TelemetryQuery, node: PlanNode, nowMs: number, field: string): StoredTelemetry {
  let mapped: ReturnType<typeof telemetryFields>;
  try {
    mapped = telemetryFields(node.schema);
  } catch (err) {
    throw invalidArgument(field, `tile "${node.id}", ${(err as Error).message}`);
  }
  if (mapped.metrics.length === 0) throw invalidArgument(field, `tile "${node.id}": names no metric field (such as cpu or disk_percent)`);
  const listed = q.metrics.map(metricName);
  const missing = mapped.metrics.find((m) => listed.length > 0 && !listed.includes(m));
  if (missing !== undefined) throw invalidArgument(`${field}.metrics`, `tile "${node.id}" reads ${missing}, which the binding does not list`);

  const agents = q.agents ?? { agentIds: [], site: '', labels: {}, all: false };
  if (!agents.all && agents.site === '' && Object.keys(agents.labels).length === 0 && agents.agentIds.length === 0)
    throw invalidArgument(`${field}.agents`, 'name agent_ids, a site, labels, or all');
  if (agents.agentIds.length > MAX_AGENT_IDS) throw invalidArgument(`${field}.agents.agent_ids`, `at most ${MAX_AGENT_IDS} ids`);

  const instant = (name: 'from' | 'to', value: string, fallback: number) => {
    try {
      return parseInstant(value, nowMs, fallback);
    } catch (err) {
      throw invalidArgument(`${field}.${name}`, (err as Error).message);
    }
  };
  const toMs = instant('to', q.to, nowMs);
  const fromMs = instant('from', q.from, toMs - HOUR_MS);
  if (fromMs >= toMs) throw invalidArgument(`${field}.from`, 'must be before to');
  const resolution = q.resolution === '' ? 'auto' : q.resolution;
  if (!(RESOLUTIONS as readonly string[]).includes(resolution)) throw invalidArgument(`${field}.resolution`, `must be one of ${RESOLUTIONS.join(', ')}`);

  return {
    agents: { agentIds: [...agents.agentIds], site: agents.site, labels: { ...agents.labels }, all: agents.all },
    metrics: mapped.metrics,
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    asked: { from: q.from, to: q.to },
    resolution: resolution as StoredTelemetry['resolution'],
    fields: mapped.fields,
  };
}
