import { z } from 'zod';

/** What one field of a telemetry-bound tile's rows holds. */
export const telemetryFieldSchema = z.discriminatedUnion('kind', [
  z.object({ name: z.string(), kind: z.enum(['agentId', 'site', 't', 'samples']) }),
  z.object({ name: z.string(), kind: z.literal('metric'), metric: z.string(), index: z.number().int(), agg: z.enum(['avg', 'min', 'max', 'last']) }),
]);
export type TelemetryField = z.infer<typeof telemetryFieldSchema>;

/** Short names for the percentages, so a program can say `cpu` where the catalogue says cpu_percent. */
const SHORT: Record<string, string> = { cpu: 'cpu_percent', memory: 'memory_percent', swap: 'swap_percent', disk: 'disk_percent' };
export const metricName = (name: string) => SHORT[name] ?? name;

const FIXED: Record<string, { kind: 'agentId' | 'site' | 't' | 'samples'; type: 'string' | 'number' }> = {
  agentId: { kind: 'agentId', type: 'string' },
  site: { kind: 'site', type: 'string' },
  t: { kind: 't', type: 'number' },
  samples: { kind: 'samples', type: 'number' },
};
const METRIC_FIELD = /^([a-z][a-z0-9_]*?)(?:_(min|max|last))?$/;

/**
 * The fields of a telemetry-bound tile's schema, each mapped to what a point supplies:
 * `agentId`, `site`, `t` (epoch ms), `samples`, or a metric (catalogue or short name) with
 * `_min`/`_max`/`_last` for those values of a rollup (the average otherwise). Throws a
 * message naming the field for one that is none of these or of the wrong type; `metrics` are
 * the distinct catalogue names in first-use order (what StreamHistory is asked for).
 */
export function telemetryFields(schema: Readonly<Record<string, string>>): { fields: TelemetryField[]; metrics: string[] } {
  const metrics: string[] = [];
  const fields = Object.entries(schema).map(([name, type]): TelemetryField => {
    const fixed = FIXED[name];
    if (fixed) {
      if (type !== fixed.type) throw new Error(`field "${name}": is a ${fixed.type} in telemetry rows, the tile says ${type}`);
      return { name, kind: fixed.kind };
    }
    const m = METRIC_FIELD.exec(name);
    if (!m) throw new Error(`field "${name}": not a telemetry field (agentId, site, t, samples, or a metric such as cpu or load1_max)`);
    if (type !== 'number') throw new Error(`field "${name}": a metric is a number, the tile says ${type}`);
    const metric = metricName(m[1]!);
    if (!metrics.includes(metric)) metrics.push(metric);
    return { name, kind: 'metric', metric, index: metrics.indexOf(metric), agg: (m[2] as 'min' | 'max' | 'last' | undefined) ?? 'avg' };
  });
  return { fields, metrics };
}
