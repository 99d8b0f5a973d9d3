import { Injectable } from '@nestjs/common';
import type { telemetryV1 } from '@fleetplane/contracts/grpc';
import { PrismaClient } from '../generated/prisma/client.js';

/** What a dashboard's fleet tile shows, in this order. */
export const SUMMARY_METRICS = ['cpu_percent', 'memory_percent', 'disk_percent'] as const;

const perAgent = SUMMARY_METRICS.map((m) => `sum("${m}_sum") / nullif(sum("${m}_count"), 0) AS "${m}"`).join(', ');
const across = SUMMARY_METRICS.map(
  (m) =>
    `count("${m}")::int AS "${m}_agents", percentile_cont(0.5) WITHIN GROUP (ORDER BY "${m}") AS "${m}_p50", ` +
    `percentile_cont(0.95) WITHIN GROUP (ORDER BY "${m}") AS "${m}_p95", max("${m}") AS "${m}_max", avg("${m}") AS "${m}_avg"`,
).join(', ');

/**
 * Fleet-wide aggregates from the 1-minute rollups of a window: each agent reduced to its
 * average over the window first, so an agent reporting twice as often does not weigh twice.
 */
@Injectable()
export class FleetSummaryRepository {
  constructor(private readonly db: PrismaClient) {}

  /** `agentIds` undefined: every agent with data in the window. */
  async summarize(fromMs: number, toMs: number, agentIds: readonly string[] | undefined): Promise<Omit<telemetryV1.GetFleetSummaryResponse, 'from' | 'to'>> {
    const rows = await this.db.$queryRawUnsafe<Record<string, number | null>[]>(
      `WITH per_agent AS (
         SELECT agent_id, ${perAgent} FROM telemetry_rollup_1m
         WHERE bucket >= date_trunc('minute', $1::timestamptz) AND bucket < $2::timestamptz AND ($3::text[] IS NULL OR agent_id = ANY($3::text[]))
         GROUP BY agent_id
       )
       SELECT count(*)::int AS agents, ${across} FROM per_agent`,
      new Date(fromMs).toISOString(),
      new Date(toMs).toISOString(),
      agentIds ? [...agentIds] : null,
    );
    const r = rows[0] ?? {};
    const num = (v: number | null | undefined) => Number(v ?? 0);
    return {
      agentsReporting: num(r.agents),
      metrics: SUMMARY_METRICS.map((m) => ({
        metric: m,
        agents: num(r[`${m}_agents`]),
        p50: num(r[`${m}_p50`]),
        p95: num(r[`${m}_p95`]),
        max: num(r[`${m}_max`]),
        avg: num(r[`${m}_avg`]),
      })),
    };
  }
}
