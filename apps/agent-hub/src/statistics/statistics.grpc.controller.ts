import { Controller } from '@nestjs/common';
import { agentHubV1 } from '@fleetplane/contracts/grpc';
import { FleetStatisticsService } from './fleet-statistics.service.js';

/** fleetplane.agenthub.v1.FleetStatisticsService: one RPC, one service call. */
@Controller()
@agentHubV1.FleetStatisticsServiceControllerMethods()
export class StatisticsGrpcController implements agentHubV1.FleetStatisticsServiceController {
  constructor(private readonly statistics: FleetStatisticsService) {}

  getFleetStatistics(): Promise<agentHubV1.GetFleetStatisticsResponse> {
    return this.statistics.get();
  }
}
