import { Injectable } from '@nestjs/common';
import type { agentHubV1, commandV1, telemetryV1 } from '@fleetplane/contracts/grpc';
import { Clock } from '@fleetplane/service-kit';
import { InjectGrpcClient, type GrpcClient } from '@fleetplane/service-kit/grpc';
import { toStatisticsView } from './statistics-view.js';
import type { StatisticsView } from './statistics.schemas.js';

export const AGENT_HUB_STATISTICS = 'agent-hub';
export const COMMAND_STATISTICS = 'command';
export const TELEMETRY_ALERT_COUNTS = 'telemetry-alerts';

@Injectable()
export class StatisticsService {
  constructor(
    @InjectGrpcClient(AGENT_HUB_STATISTICS) private readonly hub: GrpcClient<agentHubV1.FleetStatisticsServiceClient>,
    @InjectGrpcClient(COMMAND_STATISTICS) private readonly commands: GrpcClient<commandV1.CommandStatisticsServiceClient>,
    @InjectGrpcClient(TELEMETRY_ALERT_COUNTS) private readonly alerts: GrpcClient<telemetryV1.AlertServiceClient>,
    private readonly clock: Clock,
  ) {}

  /**
   * Both peers at once. No partial answer: if either fails, the route fails as
   * that peer's other routes do (503 while it is down, 504, 502), so a
   * dashboard never shows a zero that means "unknown". Open alerts come from telemetry, asked
   * at the same time; while it does not answer they are null (unknown), not a failure.
   */
  async get(): Promise<StatisticsView> {
    const [fleet, commands, alerts] = await Promise.all([
      this.hub.call('getFleetStatistics', {}),
      this.commands.call('getCommandStatistics', {}),
      this.alerts.call('countOpenAlerts', {}).then(
        (c) => (c.warning ?? 0) + (c.critical ?? 0),
        () => null,
      ),
    ]);
    return toStatisticsView(fleet, commands, this.clock.now(), alerts);
  }
}
