import { Module } from '@nestjs/common';
import { AgentRepository } from './agent.repository.js';
import { AgentsGrpcController } from './agents.grpc.controller.js';
import { AgentsService } from './agents.service.js';
import { PresenceWindow } from './presence-window.js';

/**
 * The agent registry and its gRPC API (enrollment, GetAgent, ListAgents).
 * The protocol records presence through AgentRepository, and checks
 * credentials with the pure functions of credentials.ts: the two public
 * parts of this feature.
 */
@Module({
  controllers: [AgentsGrpcController],
  providers: [AgentRepository, PresenceWindow, AgentsService],
  exports: [AgentRepository],
})
export class AgentsModule {}
