import { Inject, Injectable } from '@nestjs/common';
import { HUB_CONFIG, type HubConfig } from '../config.js';
import { MISSED_HEARTBEATS_BEFORE_CLOSE } from '../protocol/agent-session.js';

/** How recently an agent must have been seen to count as connected: as long as a silent socket is kept open. */
@Injectable()
export class PresenceWindow {
  private readonly windowMs: number;

  constructor(@Inject(HUB_CONFIG) config: Pick<HubConfig, 'HEARTBEAT_INTERVAL_MS'>) {
    this.windowMs = MISSED_HEARTBEATS_BEFORE_CLOSE * config.HEARTBEAT_INTERVAL_MS;
  }

  connectedSince(now = new Date()): Date {
    return new Date(now.getTime() - this.windowMs);
  }
}
