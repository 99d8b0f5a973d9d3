import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { FleetSummaryRepository } from './fleet-summary.repository.js';
import { HistoryGrpcController } from './history.grpc-controller.js';
import { HistoryRepository } from './history.repository.js';
import { HistoryService } from './history.service.js';

/** TelemetryHistoryService: GetHistory, GetFleetSummary, StreamHistory, from PostgreSQL. */
@Module({
  imports: [AgentsModule],
  controllers: [HistoryGrpcController],
  providers: [HistoryRepository, FleetSummaryRepository, HistoryService],
})
export class HistoryModule {}
