import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import { MISSED_HEARTBEATS_BEFORE_CLOSE, type HubConfig } from '../config.js';
import { SessionRegistry } from './session-registry.js';

// A silent socket is closed at most this much later than its idle limit.
const MAX_SWEEP_MS = 1_000;

/**
 * The idle timeout of every open session from one interval, instead of a
 * timer re-armed per socket at every frame (a timer and its closure per agent,
 * and a clear/set per heartbeat). Each sweep reads one number per session.
 */
@Injectable()
export class SessionTimerWheel implements OnModuleInit, OnApplicationShutdown {
  readonly idleMs: number;
  readonly sweepMs: number;
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectConfig() config: Pick<HubConfig, 'HEARTBEAT_INTERVAL_MS'>,
    private readonly sessions: SessionRegistry,
    private readonly clock: Clock,
  ) {
    this.idleMs = MISSED_HEARTBEATS_BEFORE_CLOSE * config.HEARTBEAT_INTERVAL_MS;
    this.sweepMs = Math.min(MAX_SWEEP_MS, Math.max(10, Math.floor(this.idleMs / 10)));
  }

  onModuleInit(): void {
    this.timer = setInterval(() => this.sweep(), this.sweepMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Closes (4410) every open session silent for longer than the idle limit; returns how many. */
  sweep(): number {
    const cutoff = this.clock.nowMs() - this.idleMs;
    const idle = [];
    for (const s of this.sessions.all()) if (s.isOpen && s.lastFrameAtMs < cutoff) idle.push(s);
    // Closing removes from the registry: not while iterating it.
    for (const s of idle) s.idleTimedOut(this.idleMs);
    return idle.length;
  }
}
