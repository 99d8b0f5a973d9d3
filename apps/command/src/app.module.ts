import { Module, type DynamicModule } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { ObservabilityModule } from '@fleetplane/observability';
import { grpcClientOptions, NatsModule } from '@fleetplane/service-kit';
import { AGENT_HUB_CLIENT, AgentDirectory } from './agents/agent-directory.js';
import { CommandRepository } from './commands/command.repository.js';
import { CommandsGrpcController } from './commands/commands.grpc-controller.js';
import { CommandsService } from './commands/commands.service.js';
import { ExecutionTransitions } from './commands/execution-transitions.js';
import { COMMAND_CONFIG, type CommandConfig } from './config.js';
import { DatabaseModule } from './database/database.module.js';
import { DeadlineService } from './dispatch/deadline.service.js';
import { DeadlineWorker } from './dispatch/deadline.worker.js';
import { Dispatcher } from './dispatch/dispatcher.service.js';
import { DispatchWorker } from './dispatch/dispatch.worker.js';
import { QueueModule } from './queue/queue.module.js';
import { ExecutionUpdatesService } from './results/execution-updates.service.js';
import { ResultsConsumer } from './results/results.consumer.js';

@Module({})
export class AppModule {
  static forRoot(config: CommandConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ service: 'command' }),
        DatabaseModule.forRoot(config.DATABASE_URL),
        NatsModule.forRoot({ url: config.NATS_URL, name: 'command' }),
        QueueModule.forRoot(config.REDIS_URL),
        // agent-hub is not a readiness dependency: commands queue while it is down.
        ClientsModule.register([{ name: AGENT_HUB_CLIENT, ...grpcClientOptions('agentHub', config.AGENT_HUB_GRPC_URL) }]),
      ],
      controllers: [CommandsGrpcController],
      providers: [
        { provide: COMMAND_CONFIG, useValue: config },
        AgentDirectory,
        CommandRepository,
        ExecutionTransitions,
        CommandsService,
        Dispatcher,
        DispatchWorker,
        DeadlineService,
        DeadlineWorker,
        ExecutionUpdatesService,
        ResultsConsumer,
      ],
    };
  }
}
