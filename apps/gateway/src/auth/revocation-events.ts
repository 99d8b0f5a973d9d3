import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { eventSchemas, subjects, type EventPayload } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit/nats';

/** Whose credentials changed: any field given names the sessions to re-check. */
export type Revocation = EventPayload<'credentials.revoked'>;
type Listener = (r: Revocation) => void;

/**
 * `credentials.revoked` between gateway instances: published after the change is
 * committed (database and Redis), received by every instance (no queue group), and
 * fanned out to this instance's open streams, which re-check their credentials.
 */
@Injectable()
export class RevocationEvents implements OnApplicationBootstrap {
  private readonly log = new Logger('auth');
  private readonly listeners = new Set<Listener>();

  constructor(@Inject(NatsClient) private readonly nats: Pick<NatsClient, 'subscribe' | 'emit'>) {}

  onApplicationBootstrap(): void {
    this.nats.subscribe(subjects.event('credentials.revoked'), eventSchemas['credentials.revoked'], (r) => this.deliver(r));
  }

  /**
   * Tells every instance. A lost message (NATS down) is not fatal: each stream
   * re-checks its credentials on a timer, and HTTP requests check on every call.
   */
  publish(r: Revocation): void {
    try {
      this.nats.emit('credentials.revoked', r);
    } catch (err) {
      this.log.warn(`credentials.revoked not published (streams catch up at their next re-check): ${(err as Error).message}`);
    }
  }

  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  deliver(r: Revocation): void {
    for (const listener of this.listeners) {
      try {
        listener(r);
      } catch (err) {
        this.log.warn(`delivering credentials.revoked failed for one stream: ${(err as Error).message}`);
      }
    }
  }
}
