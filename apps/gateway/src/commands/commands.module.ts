import { Module } from '@nestjs/common';
import { commandV1 } from '@fleetplane/contracts/grpc';
import { GrpcClientModule } from '@fleetplane/service-kit/grpc';
import { AuditModule } from '../audit/audit.module.js';
import type { GatewayConfig } from '../config.js';
import { CommandsController } from './commands.controller.js';
import { COMMAND, CommandsService } from './commands.service.js';

/**
 * /commands, answered by the command service over gRPC. command is not a
 * readiness dependency: while it is down these routes answer 503 and the rest
 * of the API keeps working.
 */
@Module({
  imports: [
    AuditModule,
    GrpcClientModule.register({
      upstream: COMMAND,
      key: 'command',
      service: commandV1.COMMAND_SERVICE_NAME,
      url: (config: GatewayConfig) => config.COMMAND_GRPC_URL,
      timeoutMs: (config: GatewayConfig) => config.UPSTREAM_TIMEOUT_MS,
    }),
  ],
  controllers: [CommandsController],
  providers: [CommandsService],
})
export class CommandsModule {}
