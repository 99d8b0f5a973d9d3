import { Inject, Injectable } from '@nestjs/common';
import type { commandV1 } from '@fleetplane/contracts/grpc';
import { Clock } from '@fleetplane/service-kit';
import { CommandCountsRepository } from './command-counts.repository.js';
import { toCommandStatistics } from './command-statistics.js';
import { statisticsWindows } from './statistics-windows.js';

/** GetCommandStatistics: the last hour's and day's commands by state, and finished executions per minute. */
@Injectable()
export class CommandStatisticsService {
  constructor(
    @Inject(CommandCountsRepository) private readonly counts: CommandCountsRepository,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async get(): Promise<commandV1.GetCommandStatisticsResponse> {
    const w = statisticsWindows(this.clock.nowMs());
    const [byState, finished] = await Promise.all([this.counts.commandsByState(w), this.counts.finishedPerMinute(w)]);
    return toCommandStatistics(w, byState, finished);
  }
}
