import { Injectable } from '@nestjs/common';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import type { HubConfig } from '../config.js';
import type { AdmissionRefusal } from './session-ports.js';

export type AdmissionLimits = Pick<
  HubConfig,
  'MAX_AGENTS' | 'MAX_CONNECTS_PER_SECOND' | 'MAX_CONCURRENT_HELLOS' | 'MAX_PENDING_HANDSHAKES' | 'ADMISSION_RETRY_AFTER_MS'
>;

/**
 * Refuses work the hub cannot take now, before it costs anything: after a hub
 * restart a whole fleet connects at once, and handling every HELLO at the same
 * time (each reads and writes the database) would time them all out and bring
 * them back again. The excess is told to come back later with a retry-after
 * hint and the rest gets through at the rate the hub sustains. Most of it is
 * refused at the HTTP upgrade (a plain 503, no WebSocket built: `admitUpgrade`);
 * a HELLO beyond the concurrent limit is closed with 4429 (`beginHello`).
 * In memory and per instance: limits protect this process.
 */
@Injectable()
export class AdmissionControl {
  private tokens: number;
  private refilledAtMs: number;
  private hellos = 0;
  private handshakes = 0;
  private accepting = false;

  constructor(
    @InjectConfig() private readonly limits: AdmissionLimits,
    private readonly clock: Clock,
  ) {
    // A bucket of one second's worth: a burst up to the rate, then the rate.
    this.tokens = limits.MAX_CONNECTS_PER_SECOND;
    this.refilledAtMs = clock.nowMs();
  }

  /**
   * A WebSocket upgrade, while `held` sockets are open here: undefined to take it
   * (it then counts as a handshake until `endHandshake`), else why not. Checked
   * in order of cost to the refused: nothing is spent on a refusal.
   */
  admitUpgrade(held: number): AdmissionRefusal | undefined {
    if (!this.accepting) return this.refuse('not_ready');
    if (held >= this.limits.MAX_AGENTS) return this.refuse('max_agents');
    if (this.handshakes >= this.limits.MAX_PENDING_HANDSHAKES) return this.refuse('pending_handshakes');
    if (this.hellos >= this.limits.MAX_CONCURRENT_HELLOS) return this.refuse('concurrent_hellos');
    this.refill();
    if (this.tokens < 1) return this.refuse('connects_per_second');
    this.tokens -= 1;
    this.handshakes += 1;
    return undefined;
  }

  /** An admitted socket's handshake ended: its HELLO_ACK went out, or it closed before. */
  endHandshake(): void {
    this.handshakes = Math.max(0, this.handshakes - 1);
  }

  /** Whether upgrades are taken at all: from start-up until shutdown begins. */
  setAccepting(accepting: boolean): void {
    this.accepting = accepting;
  }

  /** Takes a HELLO slot (give it back with `endHello`), or says why not. */
  beginHello(): AdmissionRefusal | undefined {
    if (this.hellos >= this.limits.MAX_CONCURRENT_HELLOS) return this.refuse('concurrent_hellos');
    this.hellos += 1;
    return undefined;
  }

  endHello(): void {
    this.hellos = Math.max(0, this.hellos - 1);
  }

  get hellosInProgress(): number {
    return this.hellos;
  }

  get handshakesInProgress(): number {
    return this.handshakes;
  }

  private refill(): void {
    const now = this.clock.nowMs();
    const elapsed = Math.max(0, now - this.refilledAtMs);
    this.refilledAtMs = now;
    this.tokens = Math.min(this.limits.MAX_CONNECTS_PER_SECOND, this.tokens + (elapsed * this.limits.MAX_CONNECTS_PER_SECOND) / 1_000);
  }

  private refuse(reason: AdmissionRefusal['reason']): AdmissionRefusal {
    return { reason, retryAfterMs: this.limits.ADMISSION_RETRY_AFTER_MS };
  }
}
