import { Module } from '@nestjs/common';
import { PresenceWindow } from '../agents/presence-window.js';
import { RegistryGrpcController } from './registry.grpc.controller.js';
import { RegistryRepository } from './registry.repository.js';
import { RegistryService } from './registry.service.js';

/**
 * AgentRegistryService over gRPC: CountAgents, SummarizeAgents and the
 * streaming SelectAgents (issue #11). ListAgents' filters are the same
 * AgentFilter (agent-filter.ts), applied by AgentRepository.list.
 * PresenceWindow is stateless, so this module provides its own.
 */
@Module({
  controllers: [RegistryGrpcController],
  providers: [RegistryRepository, PresenceWindow, RegistryService],
})
export class RegistryModule {}
