import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ALERT_TRANSITIONS, alertEventSchema, subjects } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit/nats';
import type { AlertFeed } from './stream-ports.js';
import type { AlertEvent } from './stream.protocol.js';

type Listener = (event: AlertEvent) => void;

/**
 * This instance's subscriptions to telemetry's alert transitions (fleet.events.alert.<t>),
 * fanned out to its sockets that subscribed to alerts. No queue group, as for
 * execution.updated: every gateway instance sees every transition.
 */
@Injectable()
export class AlertEventFeed implements AlertFeed, OnApplicationBootstrap {
  private readonly log = new Logger('stream');
  private readonly listeners = new Set<Listener>();

  constructor(@Inject(NatsClient) private readonly nats: Pick<NatsClient, 'subscribe'>) {}

  onApplicationBootstrap(): void {
    for (const t of ALERT_TRANSITIONS) this.nats.subscribe(subjects.event(`alert.${t}`), alertEventSchema, (event) => this.deliver(event));
  }

  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  deliver(event: AlertEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.warn(`delivering alert.${event.transition} failed for one client: ${(err as Error).message}`);
      }
    }
  }
}
