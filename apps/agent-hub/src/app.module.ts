import { Module, type DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from '@fleetplane/observability';
import { NatsModule } from '@fleetplane/service-kit';
import { AgentRepository } from './agents/agent.repository.js';
import { AgentsGrpcController } from './agents/agents.grpc.controller.js';
import { AgentsService } from './agents/agents.service.js';
import { PresenceWindow } from './agents/presence-window.js';
import { HUB_CONFIG, type HubConfig } from './config.js';
import { PrismaService } from './database/prisma.service.js';
import { HubMetrics } from './metrics/hub-metrics.js';
import { AgentSocketGateway } from './protocol/agent-socket.gateway.js';
import { SessionLifecycle } from './protocol/session-lifecycle.js';
import { SessionRegistry } from './protocol/session-registry.js';
import { AgentOutputPublisher } from './routing/agent-output.publisher.js';
import { CommandRouter } from './routing/command-router.js';
import { HubBootstrap } from './routing/hub-bootstrap.js';

@Module({})
export class AppModule {
  static forRoot(config: HubConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ObservabilityModule.forRoot({ service: 'agent-hub' }), NatsModule.forRoot({ url: config.NATS_URL, name: 'agent-hub' })],
      controllers: [AgentsGrpcController],
      providers: [
        { provide: HUB_CONFIG, useValue: config },
        PrismaService,
        HubMetrics,
        AgentRepository,
        PresenceWindow,
        AgentsService,
        SessionRegistry,
        CommandRouter,
        AgentOutputPublisher,
        SessionLifecycle,
        AgentSocketGateway,
        HubBootstrap,
      ],
    };
  }
}
