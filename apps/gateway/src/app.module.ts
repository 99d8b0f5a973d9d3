import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceCoreModule } from '@fleetplane/service-kit';
import { NatsModule } from '@fleetplane/service-kit/nats';
import { PrismaModule } from '@fleetplane/service-kit/prisma';
import { RedisModule } from '@fleetplane/service-kit/redis';
import { AgentsModule } from './agents/agents.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BackupsModule } from './backups/backups.module.js';
import { CommandsModule } from './commands/commands.module.js';
import type { GatewayConfig } from './config.js';
import { EnrollmentTokensModule } from './enrollment-tokens/enrollment-tokens.module.js';
import { PrismaClient } from './generated/prisma/client.js';
import { OpenApiModule } from './openapi/openapi.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { StatisticsModule } from './statistics/statistics.module.js';
import { AlertsModule } from './alerts/alerts.module.js';
import { StreamModule } from './stream/stream.module.js';
import { TelemetryModule } from './fleet-telemetry/telemetry.module.js';
import { TilesModule } from './tiles/tiles.module.js';
import { UsersModule } from './users/users.module.js';

/**
 * Infrastructure first, from the most fundamental (config, the database) to
 * the most outward (NATS): Nest closes global modules in reverse, so NATS
 * drains before the database closes. Then the features. Every HTTP route
 * passes AuthModule's guard.
 */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({ service: 'gateway', config }),
        PrismaModule.forRoot(PrismaClient),
        // Login attempt counters and the request limits.
        RedisModule.forRoot({ default: {} }),
        // execution.updated events for the live-update stream.
        NatsModule.forRoot({ url: config.NATS_URL, name: 'gateway' }),
        RateLimitModule,
        AuthModule,
        UsersModule,
        ApiKeysModule,
        AuditModule,
        AgentsModule,
        EnrollmentTokensModule,
        CommandsModule,
        StatisticsModule,
        TilesModule,
        TelemetryModule,
        AlertsModule,
        BackupsModule,
        StreamModule,
        OpenApiModule,
      ],
    };
  }
}
