import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceCoreModule } from '@fleetplane/service-kit';
import { NatsModule } from '@fleetplane/service-kit/nats';
import { PrismaModule } from '@fleetplane/service-kit/prisma';
import { AccessModule } from './access/access.module.js';
import { AgentsModule } from './agents/agents.module.js';
import type { HubConfig } from './config.js';
import { PrismaClient } from './generated/prisma/client.js';
import { ProtocolModule } from './protocol/protocol.module.js';
import { RegistryModule } from './registry/registry.module.js';
import { RoutingModule } from './routing/routing.module.js';
import { StatisticsModule } from './statistics/statistics.module.js';

/**
 * Infrastructure first, from the database to NATS (Nest closes global modules
 * in reverse: NATS drains before the database closes), then the features.
 */
@Module({})
export class AppModule {
  static forRoot(config: HubConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({ service: 'agent-hub', config }),
        PrismaModule.forRoot(PrismaClient),
        NatsModule.forRoot({ url: config.NATS_URL, name: 'agent-hub', replicas: config.JETSTREAM_REPLICAS }),
        AgentsModule,
        RoutingModule,
        ProtocolModule,
        StatisticsModule,
        AccessModule,
        RegistryModule,
      ],
    };
  }
}
