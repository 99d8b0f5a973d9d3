import { Injectable } from '@nestjs/common';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import { MISSED_HEARTBEATS_BEFORE_CLOSE, type HubConfig } from '../config.js';

/** How recently an agent must have been seen to count as connected: as long as a silent socket is kept open. */
@Injectable()
export class PresenceWindow {
  private readonly windowMs: number;

  constructor(
    @InjectConfig() config: Pick<HubConfig, 'HEARTBEAT_INTERVAL_MS'>,
    private readonly clock: Clock,
  ) {
    this.windowMs = MISSED_HEARTBEATS_BEFORE_CLOSE * config.HEARTBEAT_INTERVAL_MS;
  }

  connectedSince(): Date {
    return new Date(this.clock.nowMs() - this.windowMs);
  }
}
