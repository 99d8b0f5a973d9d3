import { Module } from '@nestjs/common';
import { PresenceWindow } from '../agents/presence-window.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { ProtocolModule } from '../protocol/protocol.module.js';
import { AccessGrpcController } from './access.grpc.controller.js';
import { AgentAccessRepository } from './agent-access.repository.js';
import { AgentAccessService } from './agent-access.service.js';
import { AgentRevokedListener } from './agent-revoked.listener.js';
import { EnrollController } from './enroll.controller.js';
import { EnrollmentTokenRepository } from './enrollment-token.repository.js';
import { EnrollmentService } from './enrollment.service.js';

/**
 * Who may be an agent: enrollment tokens and the gRPC AgentAccessService
 * (create, list, revoke tokens; revoke and delete agents), the agents'
 * POST /v1/enroll, and closing the sessions of revoked agents. Reaches
 * sessions only through ProtocolModule's SessionRegistry.
 */
@Module({
  imports: [ProtocolModule, MetricsModule],
  controllers: [AccessGrpcController, EnrollController],
  providers: [EnrollmentTokenRepository, AgentAccessRepository, EnrollmentService, AgentAccessService, AgentRevokedListener, PresenceWindow],
})
export class AccessModule {}
