import { Injectable } from '@nestjs/common';
import type { TelemetrySample } from '@fleetplane/contracts';
import { PrismaClient } from '../generated/prisma/client.js';
import { METRICS, metricValues } from '../samples/metric-catalogue.js';

const q = (id: string) => `"${id}"`;
const cols = METRICS.map(q).join(', ');

/** The columns of one rollup, aggregated from the raw rows a batch inserted. */
const rollupSelect = METRICS.map(
  (m) => `sum(${q(m)}), count(${q(m)}), min(${q(m)}), max(${q(m)}), (array_agg(${q(m)} ORDER BY taken_at DESC) FILTER (WHERE ${q(m)} IS NOT NULL))[1]`,
).join(',\n      ');

const rollupColumns = METRICS.flatMap((m) => ['sum', 'count', 'min', 'max', 'last'].map((p) => q(`${m}_${p}`))).join(', ');

/** How a stored bucket absorbs a batch's partial aggregate of the same bucket. */
const rollupMerge = [
  'samples = r.samples + excluded.samples',
  'last_at = greatest(r.last_at, excluded.last_at)',
  ...METRICS.flatMap((m) => {
    const c = (p: string) => q(`${m}_${p}`);
    return [
      `${c('sum')} = coalesce(r.${c('sum')}, 0) + coalesce(excluded.${c('sum')}, 0)`,
      `${c('count')} = r.${c('count')} + excluded.${c('count')}`,
      // least/greatest ignore NULLs.
      `${c('min')} = least(r.${c('min')}, excluded.${c('min')})`,
      `${c('max')} = greatest(r.${c('max')}, excluded.${c('max')})`,
      `${c('last')} = CASE WHEN excluded.last_at >= r.last_at THEN coalesce(excluded.${c('last')}, r.${c('last')}) ELSE coalesce(r.${c('last')}, excluded.${c('last')}) END`,
    ];
  }),
].join(',\n      ');

const rollup = (table: string, unit: 'minute' | 'hour') => `
  ${table}_upsert AS (
    INSERT INTO ${table} AS r (agent_id, bucket, samples, last_at, ${rollupColumns})
    SELECT agent_id, date_trunc('${unit}', taken_at), count(*), max(taken_at),
      ${rollupSelect}
    FROM inserted GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (agent_id, bucket) DO UPDATE SET
      ${rollupMerge}
    RETURNING 1
  )`;

/**
 * One statement per batch: the raw rows go in through unnest (one array parameter per column,
 * so the statement's size does not grow with the batch), and the rollups are updated from the
 * rows that insert really added. A redelivered sample conflicts on (agent_id, taken_at), adds
 * nothing and so is not counted twice in a rollup: the write is idempotent, which is what lets
 * the consumer ack only after the commit and retry freely.
 */
export const INSERT_BATCH_SQL = `
WITH
  input AS (
    SELECT * FROM unnest($1::text[], $2::timestamptz[], ${METRICS.map((_, i) => `$${i + 3}::float8[]`).join(', ')}, $${METRICS.length + 3}::jsonb[])
      AS t(agent_id, taken_at, ${cols}, detail)
  ),
  inserted AS (
    INSERT INTO telemetry_samples_raw (agent_id, taken_at, ${cols}, detail)
    SELECT * FROM input ORDER BY agent_id, taken_at
    ON CONFLICT (agent_id, taken_at) DO NOTHING
    RETURNING agent_id, taken_at, ${cols}
  ),${rollup('telemetry_rollup_1m', 'minute')},${rollup('telemetry_rollup_1h', 'hour')}
SELECT count(*)::int AS inserted FROM inserted`;

/** What of a sample is not a catalogue column, kept as the raw row's JSON. */
function detailOf(s: TelemetrySample): string {
  const { agentId: _a, takenAt: _t, cpuPercent: _c, load: _l, ...rest } = s;
  return JSON.stringify(rest);
}

@Injectable()
export class SampleBatchWriter {
  constructor(private readonly db: PrismaClient) {}

  /**
   * Stores the samples (raw and both rollups) in one transaction; returns how many were new.
   * The caller removes duplicates within the batch and samples outside the partitions' range.
   */
  async write(samples: readonly TelemetrySample[]): Promise<number> {
    if (samples.length === 0) return 0;
    const columns: unknown[][] = [[], [], ...METRICS.map(() => []), []];
    for (const s of samples) {
      const values = metricValues(s);
      columns[0]!.push(s.agentId);
      columns[1]!.push(s.takenAt);
      METRICS.forEach((m, i) => columns[i + 2]!.push(values[m]));
      columns[METRICS.length + 2]!.push(detailOf(s));
    }
    const rows = await this.db.$queryRawUnsafe<{ inserted: number }[]>(INSERT_BATCH_SQL, ...columns);
    return rows[0]?.inserted ?? 0;
  }
}
