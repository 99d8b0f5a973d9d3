import { Injectable } from '@nestjs/common';
import type { TelemetrySample } from '@fleetplane/contracts';
import { PrismaClient } from '../generated/prisma/client.js';
import { METRICS, metricValues } from '../samples/metric-catalogue.js';
import { pgArray } from './pg-array.js';
import { aggregateRollups, BUCKET_MS, type BucketAggregate, type RollupInput } from './rollup-aggregate.js';

const q = (id: string) => `"${id}"`;
const cols = METRICS.map(q).join(', ');
const PARTS = ['sum', 'count', 'min', 'max', 'last'] as const;
const PART_TYPE = { sum: 'float8', count: 'int', min: 'float8', max: 'float8', last: 'float8' } as const;
const rollupColumns = METRICS.flatMap((m) => PARTS.map((p) => q(`${m}_${p}`))).join(', ');

/**
 * The raw rows in through unnest (one array parameter per column, so the statement's size does
 * not grow with the batch). A redelivered sample conflicts on (agent_id, taken_at) and adds
 * nothing; the statement returns those duplicates (usually none), so that the rollups count
 * only the rows it really added.
 */
export const INSERT_RAW_SQL = `
WITH
  input AS (
    SELECT * FROM unnest($1::text[], $2::timestamptz[], ${METRICS.map((_, i) => `$${i + 3}::float8[]`).join(', ')}, $${METRICS.length + 3}::jsonb[])
      AS t(agent_id, taken_at, ${cols}, detail)
  ),
  inserted AS (
    INSERT INTO telemetry_samples_raw (agent_id, taken_at, ${cols}, detail)
    SELECT * FROM input ORDER BY agent_id, taken_at
    ON CONFLICT (agent_id, taken_at) DO NOTHING
    RETURNING agent_id, taken_at
  )
SELECT i.agent_id, i.taken_at FROM input i
WHERE NOT EXISTS (SELECT 1 FROM inserted n WHERE n.agent_id = i.agent_id AND n.taken_at = i.taken_at)`;

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

/** Parameters per rollup table: agent, bucket, samples, last_at, then five per metric. */
const ROLLUP_PARAMS = 4 + METRICS.length * PARTS.length;
const rollupUpsert = (table: string, first: number) => {
  const types = ['text', 'timestamptz', 'int', 'timestamptz', ...METRICS.flatMap(() => PARTS.map((p) => PART_TYPE[p]))];
  return `
  ${table}_upsert AS (
    INSERT INTO ${table} AS r (agent_id, bucket, samples, last_at, ${rollupColumns})
    SELECT * FROM unnest(${types.map((t, i) => `$${first + i}::${t}[]`).join(', ')})
    ON CONFLICT (agent_id, bucket) DO UPDATE SET
      ${rollupMerge}
    RETURNING 1
  )`;
};

/** Both rollups in one statement, each (agent, bucket) of the batch merged once. */
export const UPSERT_ROLLUPS_SQL = `
WITH${rollupUpsert('telemetry_rollup_1m', 1)},${rollupUpsert('telemetry_rollup_1h', 1 + ROLLUP_PARAMS)}
SELECT (SELECT count(*) FROM telemetry_rollup_1m_upsert)::int AS minutes, (SELECT count(*) FROM telemetry_rollup_1h_upsert)::int AS hours`;

/** The column arrays of one rollup's partial aggregates, in UPSERT_ROLLUPS_SQL's parameter order; sorted by key so concurrent writers lock rows in one order. */
function rollupParams(buckets: BucketAggregate[]): string[] {
  buckets.sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : a.bucketMs - b.bucketMs));
  const iso = (ms: number) => new Date(ms).toISOString();
  const out: (string | number | null)[][] = [
    buckets.map((b) => b.agentId),
    buckets.map((b) => iso(b.bucketMs)),
    buckets.map((b) => b.samples),
    buckets.map((b) => iso(b.lastAtMs)),
  ];
  METRICS.forEach((_, i) => {
    for (const p of PARTS) out.push(buckets.map((b) => b.metrics[i]![p]));
  });
  return out.map(pgArray);
}

/** What of a sample is not a catalogue column, kept as the raw row's JSON. */
function detailOf(s: TelemetrySample): string {
  const { agentId: _a, takenAt: _t, cpuPercent: _c, load: _l, ...rest } = s;
  return JSON.stringify(rest);
}

const sampleKey = (agentId: string, atMs: number) => `${agentId}\u0000${atMs}`;

@Injectable()
export class SampleBatchWriter {
  constructor(private readonly db: PrismaClient) {}

  /**
   * Stores the samples (raw and both rollups) in one transaction; returns how many were new.
   * Two statements: the raw insert, which names the samples already stored (a redelivery), then
   * both rollups merged from the partial aggregates of the new ones, computed here. Idempotent,
   * which is what lets the consumer ack only after the commit and retry freely. The caller
   * removes duplicates within the batch and samples outside the partitions' range.
   */
  async write(samples: readonly TelemetrySample[]): Promise<number> {
    if (samples.length === 0) return 0;
    const columns: (string | number | null)[][] = [[], [], ...METRICS.map(() => []), []];
    const inputs: RollupInput[] = [];
    for (const s of samples) {
      const values = metricValues(s);
      columns[0]!.push(s.agentId);
      columns[1]!.push(s.takenAt);
      METRICS.forEach((m, i) => columns[i + 2]!.push(values[m]));
      columns[METRICS.length + 2]!.push(detailOf(s));
      inputs.push({ agentId: s.agentId, atMs: Date.parse(s.takenAt), values });
    }
    return this.db.$transaction(
      async (tx) => {
        const duplicates = await tx.$queryRawUnsafe<{ agent_id: string; taken_at: Date }[]>(INSERT_RAW_SQL, ...columns.map(pgArray));
        const stored = new Set(duplicates.map((d) => sampleKey(d.agent_id, d.taken_at.getTime())));
        const added = stored.size === 0 ? inputs : inputs.filter((i) => !stored.has(sampleKey(i.agentId, i.atMs)));
        if (added.length > 0) {
          await tx.$queryRawUnsafe(
            UPSERT_ROLLUPS_SQL,
            ...rollupParams(aggregateRollups(added, BUCKET_MS.minute)),
            ...rollupParams(aggregateRollups(added, BUCKET_MS.hour)),
          );
        }
        return added.length;
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
  }
}
