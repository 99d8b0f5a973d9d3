import { Module } from '@nestjs/common';
import { CommandCountsRepository } from './command-counts.repository.js';
import { CommandStatisticsService } from './command-statistics.service.js';
import { StatisticsGrpcController } from './statistics.grpc-controller.js';

/** CommandStatisticsService over gRPC (for the gateway's GET /statistics); read-only, exports nothing. */
@Module({
  controllers: [StatisticsGrpcController],
  providers: [CommandCountsRepository, CommandStatisticsService],
})
export class StatisticsModule {}
