import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { AgentOutputPublisher } from './agent-output.publisher.js';
import { CommandRouter } from './command-router.js';
import { OutputStreams } from './output-streams.js';

/**
 * The hub's traffic on NATS for its agents: commands in (to the socket that
 * holds the agent), results and samples out (to JetStream). The protocol
 * attaches and detaches sessions and hands over what agents report.
 */
@Module({
  imports: [MetricsModule],
  providers: [CommandRouter, AgentOutputPublisher, OutputStreams],
  exports: [CommandRouter, AgentOutputPublisher],
})
export class RoutingModule {}
