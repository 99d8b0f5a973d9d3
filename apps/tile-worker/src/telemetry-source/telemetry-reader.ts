import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { telemetryV1, type agentHubV1 } from '@fleetplane/contracts/grpc';
import { GrpcStatus, InjectGrpcClient, UpstreamError, type GrpcClient } from '@fleetplane/service-kit/grpc';
import type { Row } from '@fleetplane/tile-compiler';
import type { StoredTelemetry } from './telemetry-binding.js';
import { TelemetrySourceError, TelemetryUnavailableError } from './telemetry-errors.js';
import type { TelemetryField } from './telemetry-fields.js';

export const TELEMETRY = 'telemetry';
export const AGENT_HUB = 'agent-hub';

/** Points per StreamHistory message: the service's maximum, fewest messages for the same points. */
const CHUNK = 5_000;
const RESOLUTION: Record<StoredTelemetry['resolution'], telemetryV1.Resolution> = {
  auto: telemetryV1.Resolution.RESOLUTION_AUTO,
  raw: telemetryV1.Resolution.RESOLUTION_RAW,
  '1m': telemetryV1.Resolution.RESOLUTION_1M,
  '1h': telemetryV1.Resolution.RESOLUTION_1H,
};
// The statuses that say "later": the job is delayed and retried. Anything else refuses the query for good.
const TRANSIENT = new Set<number>([GrpcStatus.UNAVAILABLE, GrpcStatus.RESOURCE_EXHAUSTED, GrpcStatus.ABORTED, GrpcStatus.DEADLINE_EXCEEDED]);

/** A telemetry source read for one run. */
export interface TelemetryData {
  readonly rows?: Row[];
  readonly columns?: Record<string, Float64Array>;
  readonly count: number;
  /** The newest point's time (epoch ms), -1 without points. */
  readonly newestMs: number;
  /**
   * The cache key's view of the data: the newest sample time the issue asks for, plus, per
   * message, agent, point count, first and last time and samples — a sliding window that drops
   * old points, or a rollup bucket that took another sample, changes it even when the newest
   * time does not.
   */
  readonly digest: string;
}

export interface ReadOptions {
  readonly tileId: string;
  /** Records tiles get row objects; columns tiles numeric columns. */
  readonly kind: 'records' | 'columns';
  /** Called with the rows read so far after every message; throws to stop (a job limit). */
  readonly checkRows: (rows: number) => void;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

/** A growable Float64Array per numeric field: 8 bytes a value instead of a row object's ~100. */
class ColumnBuilder {
  private data = new Float64Array(4_096);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  /** Copied once onto a SharedArrayBuffer: every worker thread reads it without a copy. */
  shared(): Float64Array {
    const out = new Float64Array(new SharedArrayBuffer(this.length * Float64Array.BYTES_PER_ELEMENT));
    out.set(this.data.subarray(0, this.length));
    return out;
  }
}

/**
 * Reads a telemetry source from telemetry's StreamHistory — never its tables — as the job
 * runs. Points are turned into rows (or columns) message by message, so what is held is the
 * source itself, bounded by the job's limits (checked after every message, the stream stopped
 * at once when one is passed). Sites come from agent-hub's registry, asked only when the
 * tile reads `site`. An outage of either is a TelemetryUnavailableError (retried later), a
 * refusal a TelemetrySourceError naming the source.
 */
@Injectable()
export class TelemetryReader {
  constructor(
    @InjectGrpcClient(TELEMETRY) private readonly telemetry: GrpcClient<telemetryV1.TelemetryHistoryServiceClient>,
    @InjectGrpcClient(AGENT_HUB) private readonly registry: GrpcClient<agentHubV1.AgentRegistryServiceClient>,
  ) {}

  async read(q: StoredTelemetry, opts: ReadOptions): Promise<TelemetryData> {
    const sites = q.fields.some((f) => f.kind === 'site') ? await this.sites(q, opts) : undefined;
    if (sites?.size === 0) return { ...(opts.kind === 'records' ? { rows: [] } : { columns: {} }), count: 0, newestMs: -1, digest: sha(`${q.from}`) };
    const agents = sites ? { agentIds: [...sites.keys()], site: '', labels: {}, all: false } : q.agents;
    const rows: Row[] = [];
    const columns = new Map(q.fields.map((f) => [f.name, new ColumnBuilder()]));
    const hash = createHash('sha256');
    let count = 0;
    let newestMs = -1;
    const onMessage = (msg: telemetryV1.StreamHistoryResponse) => {
      const site = sites?.get(msg.agentId) ?? '';
      let samples = 0;
      for (const p of msg.points) {
        const t = Date.parse(p.at);
        samples += p.samples;
        if (t > newestMs) newestMs = t;
        const values = q.fields.map((f) => valueOf(f, msg.agentId, site, t, p));
        if (values.some((v) => v === undefined)) continue; // a point without one of the tile's metrics
        count++;
        if (opts.kind === 'records') rows.push(Object.fromEntries(q.fields.map((f, i) => [f.name, values[i]!])));
        else q.fields.forEach((f, i) => columns.get(f.name)!.push(values[i] as number));
      }
      hash.update(`${msg.agentId}|${msg.points.length}|${msg.points[0]?.at ?? ''}|${msg.points.at(-1)?.at ?? ''}|${samples}\n`);
      opts.checkRows(count);
    };
    const request: telemetryV1.StreamHistoryRequest = {
      agents,
      metrics: q.metrics,
      from: q.from,
      to: q.to,
      resolution: RESOLUTION[q.resolution],
      chunkSize: CHUNK,
    };
    try {
      await this.telemetry.each('streamHistory', request, onMessage, { timeoutMs: opts.timeoutMs, signal: opts.signal });
    } catch (err) {
      throw this.classify(err, opts.tileId, 'telemetry');
    }
    return {
      ...(opts.kind === 'records' ? { rows } : { columns: Object.fromEntries([...columns].map(([f, b]) => [f, b.shared()])) }),
      count,
      newestMs,
      digest: `${newestMs}:${count}:${hash.digest('hex')}`,
    };
  }

  /** id → site of the selected agents, from agent-hub's registry (which owns who is where). */
  private async sites(q: StoredTelemetry, opts: ReadOptions): Promise<Map<string, string>> {
    try {
      const pages = await this.registry.collect(
        'selectAgents',
        {
          selector: {
            ...q.agents,
            agentIds: [...q.agents.agentIds],
            labels: { ...q.agents.labels },
            capabilities: [],
            os: '',
            connectedOnly: false,
            disconnectedOnly: false,
          },
          pageSize: 1_000,
        },
        { timeoutMs: Math.min(opts.timeoutMs, 30_000) },
      );
      return new Map(pages.flatMap((p) => p.agents.map((a) => [a.id, a.site] as const)));
    } catch (err) {
      throw this.classify(err, opts.tileId, 'agent-hub');
    }
  }

  private classify(err: unknown, tileId: string, peer: string): Error {
    if (!(err instanceof UpstreamError)) return err as Error;
    if (TRANSIENT.has(err.code)) return new TelemetryUnavailableError(`source "${tileId}": ${peer} is unavailable (${GrpcStatus[err.code]}: ${err.details})`);
    return new TelemetrySourceError(`source "${tileId}": ${peer} refused the query (${GrpcStatus[err.code]}): ${err.details}`);
  }
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function valueOf(f: TelemetryField, agentId: string, site: string, t: number, p: telemetryV1.HistoryPoint): string | number | undefined {
  switch (f.kind) {
    case 'agentId':
      return agentId;
    case 'site':
      return site;
    case 't':
      return t;
    case 'samples':
      return p.samples;
    case 'metric': {
      const v = p.values[f.index]?.[f.agg];
      return typeof v === 'number' ? v : undefined;
    }
  }
}
