import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { tilesV1 } from '@fleetplane/contracts/grpc';
import type { Caller } from '../auth/principal.js';
import { RequireRole } from '../auth/roles.js';
import { RequireScope } from '../auth/scopes.js';
import { CurrentCaller } from '../http/caller.js';
import { ZodPipe } from '../http/zod.pipe.js';
import type { TileJobView } from './tile-job-view.js';
import {
  explainTilesBody,
  getTileJobQuery,
  submitTileJobBody,
  tileJobIdParam,
  type ExplainTilesBody,
  type GetTileJobQuery,
  type SubmitTileJobBody,
  type TileJobResult,
  type TileStatsView,
} from './tiles.schemas.js';
import { TilesService } from './tiles.service.js';

// Tile jobs read fleet data: reading them takes the telemetry:read scope, running them tiles:write.
@Controller('tiles')
export class TilesController {
  constructor(private readonly tiles: TilesService) {}

  /** 202: the job is queued; poll GET /tiles/jobs/:id for its state and results. */
  @Post('jobs')
  @HttpCode(202)
  @RequireRole('operator', 'tile.submit')
  @RequireScope('tiles:write')
  submit(@CurrentCaller() caller: Caller, @Body(new ZodPipe(submitTileJobBody)) body: SubmitTileJobBody): Promise<TileJobView> {
    return this.tiles.submit(caller, body);
  }

  @Get('jobs/:id')
  @RequireRole('viewer')
  @RequireScope('telemetry:read')
  get(@Param('id', new ZodPipe(tileJobIdParam, 'id')) id: string, @Query(new ZodPipe(getTileJobQuery)) q: GetTileJobQuery): Promise<TileJobResult> {
    return this.tiles.get(id, q);
  }

  @Post('jobs/:id/cancel')
  @HttpCode(200)
  @RequireRole('operator', 'tile.cancel')
  @RequireScope('tiles:write')
  cancel(@CurrentCaller() caller: Caller, @Param('id', new ZodPipe(tileJobIdParam, 'id')) id: string): Promise<TileJobView> {
    return this.tiles.cancel(caller, id);
  }

  @Post('explain')
  @HttpCode(200)
  @RequireRole('viewer', 'tile.explain')
  @RequireScope('telemetry:read')
  explain(@CurrentCaller() caller: Caller, @Body(new ZodPipe(explainTilesBody)) body: ExplainTilesBody): Promise<tilesV1.ExplainResponse> {
    return this.tiles.explain(caller, body);
  }

  @Get('stats')
  @RequireRole('viewer')
  @RequireScope('telemetry:read')
  stats(): Promise<TileStatsView> {
    return this.tiles.stats();
  }
}
