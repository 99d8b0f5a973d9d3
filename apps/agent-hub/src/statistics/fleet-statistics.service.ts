import { Injectable } from '@nestjs/common';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import { Clock } from '@fleetplane/service-kit';
import { PresenceWindow } from '../agents/presence-window.js';
import { FleetCountsRepository } from './fleet-counts.repository.js';
import { toFleetStatistics } from './fleet-statistics.js';

/** GetFleetStatistics: agents in total, by site and by os, each with how many are connected now. */
@Injectable()
export class FleetStatisticsService {
  constructor(
    private readonly counts: FleetCountsRepository,
    private readonly presence: PresenceWindow,
    private readonly clock: Clock,
  ) {}

  async get(): Promise<agentHubV1.GetFleetStatisticsResponse> {
    const generatedAt = this.clock.now();
    return toFleetStatistics(await this.counts.count(this.presence.connectedSince()), generatedAt);
  }
}
