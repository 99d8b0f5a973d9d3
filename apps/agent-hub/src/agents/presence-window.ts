import { Inject, Injectable } from '@nestjs/common';
import { HUB_CONFIG, type HubConfig } from '../config.js';

/** Missing this many heartbeats makes a session count as gone (the socket is closed at the same point). */
export const MISSED_HEARTBEATS = 3;

/** How recently an agent must have been seen to count as connected. */
@Injectable()
export class PresenceWindow {
  private readonly windowMs: number;

  constructor(@Inject(HUB_CONFIG) config: Pick<HubConfig, 'HEARTBEAT_INTERVAL_MS'>) {
    this.windowMs = MISSED_HEARTBEATS * config.HEARTBEAT_INTERVAL_MS;
  }

  connectedSince(now = new Date()): Date {
    return new Date(now.getTime() - this.windowMs);
  }
}
