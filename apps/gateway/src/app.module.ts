import { Module, type DynamicModule } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { ClientsModule } from '@nestjs/microservices';
import { PassportModule } from '@nestjs/passport';
import { ObservabilityModule } from '@fleetplane/observability';
import { grpcClientOptions, NatsModule } from '@fleetplane/service-kit';
import { AgentHubClient } from './agents/agent-hub.client.js';
import { AgentsController } from './agents/agents.controller.js';
import { AgentsService } from './agents/agents.service.js';
import { ApiKeysController } from './api-keys/api-keys.controller.js';
import { ApiKeysRepository } from './api-keys/api-keys.repository.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { AuditController } from './audit/audit.controller.js';
import { AuditRepository } from './audit/audit.repository.js';
import { AuditService } from './audit/audit.service.js';
import { AdminBootstrap } from './auth/admin-bootstrap.js';
import { ApiAuthGuard } from './auth/api-auth.guard.js';
import { ApiKeyStrategy } from './auth/api-key.strategy.js';
import { AuthController } from './auth/auth.controller.js';
import { AuthService } from './auth/auth.service.js';
import { jwtModuleOptions } from './auth/jwt.options.js';
import { JwtStrategy } from './auth/jwt.strategy.js';
import { LoginRateLimiter, RedisCounterStore } from './auth/login-rate-limiter.js';
import { RefreshTokensRepository } from './auth/refresh-tokens.repository.js';
import { RolesGuard } from './auth/roles.guard.js';
import { TokenIssuer } from './auth/token-issuer.js';
import { UsersRepository } from './auth/users.repository.js';
import { CommandClient } from './commands/command.client.js';
import { CommandsController } from './commands/commands.controller.js';
import { CommandsService } from './commands/commands.service.js';
import { GATEWAY_CONFIG, type GatewayConfig } from './config.js';
import { DatabaseModule } from './database/database.module.js';
import { ExecutionEventFeed } from './stream/execution-event-feed.js';
import { StreamAuthenticator } from './stream/stream-authenticator.js';
import { StreamGateway } from './stream/stream.gateway.js';
import { AGENT_HUB_GRPC, COMMAND_GRPC } from './upstream/upstream.tokens.js';
import { UsersController } from './users/users.controller.js';
import { UsersService } from './users/users.service.js';

/** The config, validated once in main, for every provider that needs it. */
@Module({})
class ConfigModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return { module: ConfigModule, global: true, providers: [{ provide: GATEWAY_CONFIG, useValue: config }], exports: [GATEWAY_CONFIG] };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot({ service: 'gateway' }),
        DatabaseModule,
        NatsModule.forRoot({ url: config.NATS_URL, name: 'gateway' }),
        PassportModule,
        JwtModule.register(jwtModuleOptions(config.JWT_SECRET)),
        // command and agent-hub are not readiness dependencies: while one is down its
        // routes answer 503 and the rest of the API keeps working.
        ClientsModule.register([
          { name: COMMAND_GRPC, ...grpcClientOptions('command', config.COMMAND_GRPC_URL) },
          { name: AGENT_HUB_GRPC, ...grpcClientOptions('agentHub', config.AGENT_HUB_GRPC_URL) },
        ]),
      ],
      controllers: [AuthController, UsersController, ApiKeysController, AgentsController, CommandsController, AuditController],
      providers: [
        AuditRepository,
        AuditService,
        UsersRepository,
        UsersService,
        RefreshTokensRepository,
        TokenIssuer,
        RedisCounterStore,
        LoginRateLimiter,
        AuthService,
        AdminBootstrap,
        ApiKeysRepository,
        ApiKeysService,
        JwtStrategy,
        ApiKeyStrategy,
        ApiAuthGuard,
        RolesGuard,
        AgentHubClient,
        AgentsService,
        CommandClient,
        CommandsService,
        StreamAuthenticator,
        ExecutionEventFeed,
        StreamGateway,
      ],
    };
  }
}
