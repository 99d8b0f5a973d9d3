import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { eventSchemas, subjects } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit/nats';
import type { BackupFeed } from './stream-ports.js';
import type { BackupUpdated } from './stream.protocol.js';

type Listener = (event: BackupUpdated) => void;

/**
 * This instance's subscription to the backup service's job events (fleet.events.backup.updated:
 * state changes and progress), fanned out to its sockets that subscribed to backups. No queue
 * group, as for execution.updated: every gateway instance sees every event.
 */
@Injectable()
export class BackupEventFeed implements BackupFeed, OnApplicationBootstrap {
  private readonly log = new Logger('stream');
  private readonly listeners = new Set<Listener>();

  constructor(@Inject(NatsClient) private readonly nats: Pick<NatsClient, 'subscribe'>) {}

  onApplicationBootstrap(): void {
    this.nats.subscribe(subjects.event('backup.updated'), eventSchemas['backup.updated'], (event) => this.deliver(event));
  }

  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  deliver(event: BackupUpdated): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.warn(`delivering backup.updated failed for one client: ${(err as Error).message}`);
      }
    }
  }
}
