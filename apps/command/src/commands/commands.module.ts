import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { ExecutionsModule } from '../executions/executions.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { CommandQueueModule } from '../queue/queue.module.js';
import { CommandsGrpcController } from './commands.grpc-controller.js';
import { CommandControl } from './command-control.usecase.js';
import { CommandsService } from './commands.service.js';
import { SubmitCommand } from './submit-command.usecase.js';

/**
 * The CommandService gRPC API: submit (validate, check the targets with
 * agent-hub, store, queue), get and list. Nothing else builds on it, so it
 * exports nothing.
 */
@Module({
  imports: [AgentsModule, ExecutionsModule, CommandQueueModule, MetricsModule],
  controllers: [CommandsGrpcController],
  providers: [SubmitCommand, CommandsService, CommandControl],
})
export class CommandsModule {}
