import { Module } from '@nestjs/common';
import { PresenceWindow } from '../agents/presence-window.js';
import { FleetCountsRepository } from './fleet-counts.repository.js';
import { FleetStatisticsService } from './fleet-statistics.service.js';
import { StatisticsGrpcController } from './statistics.grpc.controller.js';

/**
 * FleetStatisticsService over gRPC (for the gateway's GET /statistics).
 * PresenceWindow is stateless (config and clock), so this module provides its
 * own rather than widening AgentsModule's exports.
 */
@Module({
  controllers: [StatisticsGrpcController],
  providers: [FleetCountsRepository, PresenceWindow, FleetStatisticsService],
})
export class StatisticsModule {}
