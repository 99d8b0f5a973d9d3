import { Controller, Inject } from '@nestjs/common';
import { commandV1 } from '@fleetplane/contracts/grpc';
import { CommandStatisticsService } from './command-statistics.service.js';

/** fleetplane.command.v1.CommandStatisticsService: one RPC, one service call. */
@Controller()
@commandV1.CommandStatisticsServiceControllerMethods()
export class StatisticsGrpcController implements commandV1.CommandStatisticsServiceController {
  constructor(@Inject(CommandStatisticsService) private readonly statistics: CommandStatisticsService) {}

  getCommandStatistics(): Promise<commandV1.GetCommandStatisticsResponse> {
    return this.statistics.get();
  }
}
