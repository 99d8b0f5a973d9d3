import { Injectable } from '@nestjs/common';
import type { agentHubV1, commandV1 } from '@fleetplane/contracts/grpc';
import { Clock } from '@fleetplane/service-kit';
import { InjectGrpcClient, type GrpcClient } from '@fleetplane/service-kit/grpc';
import { toStatisticsView } from './statistics-view.js';
import type { StatisticsView } from './statistics.schemas.js';

export const AGENT_HUB_STATISTICS = 'agent-hub';
export const COMMAND_STATISTICS = 'command';

@Injectable()
export class StatisticsService {
  constructor(
    @InjectGrpcClient(AGENT_HUB_STATISTICS) private readonly hub: GrpcClient<agentHubV1.FleetStatisticsServiceClient>,
    @InjectGrpcClient(COMMAND_STATISTICS) private readonly commands: GrpcClient<commandV1.CommandStatisticsServiceClient>,
    private readonly clock: Clock,
  ) {}

  /**
   * Both peers at once. No partial answer: if either fails, the route fails as
   * that peer's other routes do (503 while it is down, 504, 502), so a
   * dashboard never shows a zero that means "unknown".
   */
  async get(): Promise<StatisticsView> {
    const [fleet, commands] = await Promise.all([this.hub.call('getFleetStatistics', {}), this.commands.call('getCommandStatistics', {})]);
    return toStatisticsView(fleet, commands, this.clock.now());
  }
}
