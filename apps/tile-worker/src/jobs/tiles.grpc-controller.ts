import { Controller, Inject } from '@nestjs/common';
import { tilesV1 } from '@fleetplane/contracts/grpc';
import { toProtoJob } from './job.mapper.js';
import { JobsService } from './jobs.service.js';
import { TileStatsService } from './tile-stats.service.js';

/** fleetplane.tiles.v1.TileService: each call is one service method (runService installs the error filter). */
@Controller()
@tilesV1.TileServiceControllerMethods()
export class TilesGrpcController implements tilesV1.TileServiceController {
  constructor(
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(TileStatsService) private readonly statistics: TileStatsService,
  ) {}

  async submitJob(req: tilesV1.SubmitJobRequest): Promise<tilesV1.SubmitJobResponse> {
    return { job: toProtoJob(await this.jobs.submit(req)) };
  }

  getJob(req: tilesV1.GetJobRequest): Promise<tilesV1.GetJobResponse> {
    return this.jobs.get(req);
  }

  async cancelJob(req: tilesV1.CancelJobRequest): Promise<tilesV1.CancelJobResponse> {
    return { job: toProtoJob(await this.jobs.cancel(req)) };
  }

  explain(req: tilesV1.ExplainRequest): tilesV1.ExplainResponse {
    return this.jobs.explain(req);
  }

  listJobs(req: tilesV1.ListJobsRequest): Promise<tilesV1.ListJobsResponse> {
    return this.jobs.list(req);
  }

  getStats(): Promise<tilesV1.GetStatsResponse> {
    return this.statistics.stats();
  }
}
