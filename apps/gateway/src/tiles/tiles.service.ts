import { BadGatewayException, ConflictException, Injectable } from '@nestjs/common';
import type { tilesV1 } from '@fleetplane/contracts/grpc';
import { GrpcStatus, InjectGrpcClient, UpstreamError, type GrpcClient } from '@fleetplane/service-kit/grpc';
import { AuditService } from '../audit/audit.service.js';
import { failureDetails } from '../audit/failure-details.js';
import { actorId, type Caller } from '../auth/principal.js';
import { toSinkRows, toTileJobView, toTileStatsView, type TileJobView } from './tile-job-view.js';
import type { ExplainTilesBody, GetTileJobQuery, SubmitTileJobBody, TileJobResult, TileStatsView } from './tiles.schemas.js';

export const TILES = 'tile-worker';

type Details = Record<string, string | number | boolean | string[] | null>;

/** The request's body fields as tile-worker names them, so its INVALID_ARGUMENT fields read as the body's. */
const BODY_FIELDS: Array<[RegExp, string]> = [
  [/^program_json: /, 'program: '],
  [/^sources\[(\d+)\]\.rows\.rows_json: /, 'sources.$1.rows: '],
  [/^sources\[(\d+)\]\.tile_id: /, 'sources.$1.tileId: '],
  [/^sources\[(\d+)\]\.columns(\.[\w-]+)?: /, 'sources.$1.columns$2: '],
  [/^sources\[(\d+)\]\.telemetry\.agents\.agent_ids: /, 'sources.$1.telemetry.agents.agentIds: '],
  [/^sources\[(\d+)\]\.telemetry(\.[\w.]+)?: /, 'sources.$1.telemetry$2: '],
  [/^timeout_ms: /, 'timeoutMs: '],
  [/^source_rows\.([\w-]+): /, 'sourceRows.$1: '],
];

/** Renames the proto field a tile-worker refusal names to the REST body's field (the gRPC → HTTP mapping then splits it out). */
function inBodyTerms<T>(call: () => Promise<T>): Promise<T> {
  return call().catch((err: unknown) => {
    if (err instanceof UpstreamError) {
      const rule = BODY_FIELDS.find(([re]) => re.test(err.details));
      if (rule) throw new UpstreamError(err.upstream, err.method, err.code, err.details.replace(rule[0], rule[1]));
    }
    throw err;
  });
}

/** /tiles, answered by tile-worker over gRPC; submissions, cancels and explains are audited. */
@Injectable()
export class TilesService {
  constructor(
    @InjectGrpcClient(TILES) private readonly tiles: GrpcClient<tilesV1.TileServiceClient>,
    private readonly audit: AuditService,
  ) {}

  submit(caller: Caller, body: SubmitTileJobBody): Promise<TileJobView> {
    return this.audited(caller, 'tile.submit', { sources: body.sources.map((s) => s.tileId) }, async () => {
      const res = await this.tiles.call('submitJob', {
        programJson: JSON.stringify(body.program),
        sources: body.sources.map((s) => ({
          tileId: s.tileId,
          ...(s.rows ? { rows: { rowsJson: JSON.stringify(s.rows) } } : {}),
          ...(s.columns ? { columns: { columns: Object.fromEntries(Object.entries(s.columns).map(([f, values]) => [f, { values }])) } } : {}),
          ...(s.telemetry ? { telemetry: s.telemetry } : {}),
        })),
        timeoutMs: body.timeoutMs ?? 0,
        requestedBy: actorId(caller.principal),
      });
      if (!res.job) throw new BadGatewayException('tile-worker returned no job');
      return toTileJobView(res.job);
    });
  }

  cancel(caller: Caller, id: string): Promise<TileJobView> {
    return this.audited(
      caller,
      'tile.cancel',
      {},
      async () => {
        const res = await this.tiles.call('cancelJob', { jobId: id, requestedBy: actorId(caller.principal) }).catch((err: unknown) => {
          // The job has finished: a conflict with its state the caller can read, not a gateway fault.
          if (err instanceof UpstreamError && err.code === GrpcStatus.FAILED_PRECONDITION) throw new ConflictException(err.details);
          throw err;
        });
        if (!res.job) throw new BadGatewayException('tile-worker returned no job');
        return toTileJobView(res.job);
      },
      id,
    );
  }

  /** Explain runs nothing, but it is a POST with a program in it: audited like the other POSTs. */
  explain(caller: Caller, body: ExplainTilesBody): Promise<tilesV1.ExplainResponse> {
    return this.audited(caller, 'tile.explain', {}, () =>
      this.tiles.call('explain', { programJson: JSON.stringify(body.program), sourceRows: body.sourceRows }),
    );
  }

  async get(id: string, q: GetTileJobQuery): Promise<TileJobResult> {
    const res = await inBodyTerms(() => this.tiles.call('getJob', { jobId: id, resultLimit: q.resultLimit ?? 0, resultCursor: q.cursor ?? '' }));
    if (!res.job) throw new BadGatewayException('tile-worker returned no job');
    return { job: toTileJobView(res.job), results: (res.results ?? []).map(toSinkRows), nextCursor: res.nextResultCursor || null };
  }

  async stats(): Promise<TileStatsView> {
    return toTileStatsView(await this.tiles.call('getStats', {}));
  }

  /** Runs one audited call: a success row names the job (the target, or the job the call returned), a failure row the gRPC status. */
  private async audited<T>(caller: Caller, action: string, details: Details, run: () => Promise<T>, target?: string): Promise<T> {
    try {
      const result = await inBodyTerms(run);
      const returned = (result as { id?: unknown }).id;
      const id = target ?? (typeof returned === 'string' ? returned : undefined);
      await this.audit.recordFor(caller, { action, outcome: 'success', ...(id ? { target: id } : {}), details });
      return result;
    } catch (err) {
      await this.audit.recordFor(caller, { action, outcome: 'failed', ...(target ? { target } : {}), details: { ...details, ...failureDetails(err) } });
      throw err;
    }
  }
}
