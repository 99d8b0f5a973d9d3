import { Injectable } from '@nestjs/common';
import type { telemetryV1 } from '@fleetplane/contracts/grpc';
import { PrismaClient } from '../generated/prisma/client.js';
import type { MetricName } from '../samples/metric-catalogue.js';
import type { Resolution } from '../storage/history-tables.js';

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

type Row = { agent_id: string; at_ms: number; samples: number } & Record<string, number | null>;

const opt = (v: number | null | undefined) => (v === null || v === undefined ? undefined : v);

/**
 * Reads points in (agent, instant) order from the table of a resolution, a page at a time on
 * the primary key (a keyset after the cursor, never an OFFSET), each metric as avg/min/max/last.
 * The metric names come from the catalogue, never from a caller, so they are safe to inline.
 */
@Injectable()
export class HistoryRepository {
  constructor(private readonly db: PrismaClient) {}

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
    const columns = metrics
      .map((m, i) =>
        resolution === 'raw'
          ? `"${m}" AS v${i}`
          : `"${m}_sum" / nullif("${m}_count", 0) AS a${i}, "${m}_min" AS n${i}, "${m}_max" AS x${i}, "${m}_last" AS l${i}`,
      )
      .join(', ');
    const rows = await this.db.$queryRawUnsafe<Row[]>(
      `SELECT agent_id, (extract(epoch FROM ${at}) * 1000)::float8 AS at_ms, ${resolution === 'raw' ? '1' : 'samples'}::int AS samples${columns ? `, ${columns}` : ''}
       FROM ${table}
       WHERE agent_id = ANY($1::text[]) AND ${at} >= $2::timestamptz AND ${at} < $3::timestamptz AND (agent_id, ${at}) > ($4::text, $5::timestamptz)
       ORDER BY agent_id, ${at} LIMIT $6::int`,
      agentIds,
      new Date(fromMs).toISOString(),
      new Date(toMs).toISOString(),
      after?.agentId ?? '',
      new Date(after?.atMs ?? 0).toISOString(),
      limit,
    );
    return rows.map((r) => ({
      agentId: r.agent_id,
      atMs: r.at_ms,
      point: {
        at: new Date(r.at_ms).toISOString(),
        samples: r.samples,
        values: metrics.map((_, i) =>
          resolution === 'raw'
            ? { avg: opt(r[`v${i}`]), min: opt(r[`v${i}`]), max: opt(r[`v${i}`]), last: opt(r[`v${i}`]) }
            : { avg: opt(r[`a${i}`]), min: opt(r[`n${i}`]), max: opt(r[`x${i}`]), last: opt(r[`l${i}`]) },
        ),
      },
    }));
  }
}
