import { Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';
import type { telemetryV1 } from '@fleetplane/contracts/grpc';
import { Clock, InjectConfig, PageTokenCodec } from '@fleetplane/service-kit';
import { decodeGrpcPageToken, invalidArgument } from '@fleetplane/service-kit/grpc';
import { AgentDirectory } from '../agents/agent-directory.js';
import { retentionMs, type TelemetryConfig } from '../config.js';
import { FleetSummaryRepository } from './fleet-summary.repository.js';
import { MAX_POINTS, parseRange, resolutionToProto } from './history-range.js';
import { HistoryRepository, type PointCursor } from './history.repository.js';
import { whenDrained, type StreamPacing } from './stream-pacing.js';

// The token carries the range and resolution of its first page: with `to` left to default to
// now, a later page must not see a different range (or AUTO choose another resolution).
const pageTokens = new PageTokenCodec(
  z.object({ atMs: z.number(), fromMs: z.number(), toMs: z.number(), resolution: z.enum(['raw', '1m', '1h']) }),
  'GetHistory',
);
const DEFAULT_CHUNK = 1_000;
const MAX_CHUNK = 5_000;
/** Agents per query of the stream: a bounded ANY(...) list, read on the primary key. */
const AGENTS_PER_QUERY = 500;

/** History queries: one agent's page, the stream over an agent set, the fleet summary. */
@Injectable()
export class HistoryService {
  private readonly retention: ReturnType<typeof retentionMs>;

  constructor(
    private readonly history: HistoryRepository,
    private readonly summaries: FleetSummaryRepository,
    private readonly agents: AgentDirectory,
    private readonly clock: Clock,
    @InjectConfig() config: TelemetryConfig,
  ) {
    this.retention = retentionMs(config);
  }

  async getHistory(req: telemetryV1.GetHistoryRequest): Promise<telemetryV1.GetHistoryResponse> {
    if (!agentIdSchema.safeParse(req.agentId).success) throw invalidArgument('agent_id', 'must be an agent id');
    const parsed = parseRange(req, this.clock.nowMs(), this.retention, true);
    if (req.pageSize < 0 || req.pageSize > MAX_POINTS) throw invalidArgument('page_size', `must be between 0 and ${MAX_POINTS}`);
    const pageSize = req.pageSize || MAX_POINTS;
    // The token is valid only for the same question: same agent, range as asked, resolution and metrics.
    const scope = `${req.agentId}|${req.from}|${req.to}|${req.resolution}|${parsed.metrics.join(',')}`;
    const cursor = decodeGrpcPageToken(pageTokens, req.pageToken, scope);
    const range = cursor ? { ...parsed, fromMs: cursor.fromMs, toMs: cursor.toMs, resolution: cursor.resolution } : parsed;
    const after: PointCursor | undefined = cursor ? { agentId: req.agentId, atMs: cursor.atMs } : undefined;
    const rows = await this.history.page(range.resolution, [req.agentId], range.metrics, range.fromMs, range.toMs, after, pageSize + 1);
    const page = rows.slice(0, pageSize);
    return {
      agentId: req.agentId,
      resolution: resolutionToProto(range.resolution),
      metrics: range.metrics,
      points: page.map((r) => r.point),
      nextPageToken:
        rows.length > pageSize
          ? pageTokens.encode({ atMs: page.at(-1)!.atMs, fromMs: range.fromMs, toMs: range.toMs, resolution: range.resolution }, scope)
          : '',
    };
  }

  async getFleetSummary(req: telemetryV1.GetFleetSummaryRequest): Promise<telemetryV1.GetFleetSummaryResponse> {
    if (req.windowSeconds < 0 || req.windowSeconds > 86_400) throw invalidArgument('window_seconds', 'must be between 0 and 86400');
    const toMs = this.clock.nowMs();
    const fromMs = toMs - (req.windowSeconds || 300) * 1000;
    const filtered = req.site !== '' || Object.keys(req.labels).length > 0;
    const ids = filtered ? await this.agents.resolve({ agentIds: [], site: req.site, labels: req.labels, all: false }, 'selector') : undefined;
    const summary = await this.summaries.summarize(fromMs, toMs, ids);
    return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), ...summary };
  }

  /**
   * The points of every selected agent, agent by agent, read a page at a time and written only
   * as fast as the reader takes them (the next page is read once the call has drained). Errors
   * before the first message (bad arguments, agent-hub away) end the call with their status.
   */
  streamHistory(req: telemetryV1.StreamHistoryRequest, pacing?: StreamPacing): Observable<telemetryV1.StreamHistoryResponse> {
    return new Observable((subscriber) => {
      let stopped = false;
      void (async () => {
        const range = parseRange(req, this.clock.nowMs(), this.retention, false);
        if (req.chunkSize < 0 || req.chunkSize > MAX_CHUNK) throw invalidArgument('chunk_size', `must be between 0 and ${MAX_CHUNK}`);
        const chunk = req.chunkSize || DEFAULT_CHUNK;
        const set = req.agents ?? { agentIds: [], site: '', labels: {}, all: false };
        const ids = await this.agents.resolve(set, 'agents');
        const resolution = resolutionToProto(range.resolution);
        for (let i = 0; i < ids.length && !stopped; i += AGENTS_PER_QUERY) {
          const group = ids.slice(i, i + AGENTS_PER_QUERY);
          let after: PointCursor | undefined;
          for (;;) {
            const rows = await this.history.page(range.resolution, group, range.metrics, range.fromMs, range.toMs, after, chunk);
            if (stopped) return;
            // One message per agent run in the page: a message never mixes agents.
            for (let start = 0; start < rows.length;) {
              let end = start;
              while (end < rows.length && rows[end]!.agentId === rows[start]!.agentId) end++;
              subscriber.next({ agentId: rows[start]!.agentId, resolution, metrics: range.metrics, points: rows.slice(start, end).map((r) => r.point) });
              start = end;
            }
            if (rows.length < chunk) break;
            after = { agentId: rows.at(-1)!.agentId, atMs: rows.at(-1)!.atMs };
            await whenDrained(pacing);
            if (stopped) return;
          }
        }
        subscriber.complete();
      })().catch((err: unknown) => subscriber.error(err));
      return () => {
        stopped = true;
      };
    });
  }
}
