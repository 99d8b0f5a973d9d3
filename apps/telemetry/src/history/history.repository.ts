import { Injectable } from '@nestjs/common';
import type { telemetryV1 } from '@fleetplane/contracts/grpc';
import { InjectSqlPool, type SqlPool } from '@fleetplane/service-kit/prisma';
import type { MetricName } from '../samples/metric-catalogue.js';
import type { Resolution } from '../storage/history-tables.js';
import { InstantText } from './instant-text.js';

const TABLE: Record<Resolution, { table: string; at: string }> = {
  raw: { table: 'telemetry_samples_raw', at: 'taken_at' },
  '1m': { table: 'telemetry_rollup_1m', at: 'bucket' },
  '1h': { table: 'telemetry_rollup_1h', at: 'bucket' },
};

/** Where a page of points starts after: the last (agent, instant) of the previous one. */
export interface PointCursor {
  agentId: string;
  atMs: number;
}

export interface AgentPoint {
  agentId: string;
  atMs: number;
  point: telemetryV1.HistoryPoint;
}

/** A row as the query returns it, by position: agent id, instant (ms), samples, then the metrics' columns (numbers or NULL). */
type Row = (string | number | null)[];

/** Column `c` of a row as an optional value: NULL (no sample had the metric) is absent. */
const opt = (row: Row, c: number) => (row[c] === null ? undefined : (row[c] as number));

/**
 * Reads points in (agent, instant) order from the table of a resolution, a page at a time on
 * the primary key (a keyset after the cursor, never an OFFSET), each metric as avg/min/max/last.
 * The metric names come from the catalogue, never from a caller, so they are safe to inline.
 *
 * Read through pg with rows as arrays rather than through Prisma: a 24 h page is 1,440 rows of
 * up to 4 values per metric, and the per-row objects (Prisma's, then keyed by column name) were
 * most of the query's CPU (BENCHMARKS.md, history at fleet scale).
 */
@Injectable()
export class HistoryRepository {
  constructor(@InjectSqlPool() private readonly pool: SqlPool) {}

  async page(
    resolution: Resolution,
    agentIds: readonly string[],
    metrics: readonly MetricName[],
    fromMs: number,
    toMs: number,
    after: PointCursor | undefined,
    limit: number,
  ): Promise<AgentPoint[]> {
    const { table, at } = TABLE[resolution];
    // Read by position (rowMode 'array'): per metric its value (raw) or avg, min, max, last.
    const columns = metrics
      .map((m) => (resolution === 'raw' ? `"${m}"` : `"${m}_sum" / nullif("${m}_count", 0), "${m}_min", "${m}_max", "${m}_last"`))
      .join(', ');
    const { rows } = await this.pool.query<Row>({
      text: `SELECT agent_id, (extract(epoch FROM ${at}) * 1000)::float8 AS at_ms, ${resolution === 'raw' ? '1' : 'samples'}::int AS samples${columns ? `, ${columns}` : ''}
       FROM ${table}
       WHERE agent_id = ANY($1::text[]) AND ${at} >= $2::timestamptz AND ${at} < $3::timestamptz AND (agent_id, ${at}) > ($4::text, $5::timestamptz)
       ORDER BY agent_id, ${at} LIMIT $6::int`,
      values: [agentIds, new Date(fromMs).toISOString(), new Date(toMs).toISOString(), after?.agentId ?? '', new Date(after?.atMs ?? 0).toISOString(), limit],
      rowMode: 'array',
    });
    const perMetric = resolution === 'raw' ? 1 : 4;
    const points = new Array<AgentPoint>(rows.length);
    const instants = new InstantText();
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      const values = new Array<telemetryV1.MetricPoint>(metrics.length);
      for (let i = 0, c = 3; i < metrics.length; i++, c += perMetric) {
        values[i] =
          perMetric === 1
            ? { avg: opt(row, c), min: opt(row, c), max: opt(row, c), last: opt(row, c) }
            : { avg: opt(row, c), min: opt(row, c + 1), max: opt(row, c + 2), last: opt(row, c + 3) };
      }
      const atMs = row[1] as number;
      points[r] = { agentId: row[0] as string, atMs, point: { at: instants.of(atMs), samples: row[2] as number, values } };
    }
    return points;
  }
}
