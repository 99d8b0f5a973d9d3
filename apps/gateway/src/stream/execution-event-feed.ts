import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { eventSchemas, subjects } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit/nats';
import type { EventFeed } from './stream-ports.js';
import type { ExecutionUpdated } from './stream.protocol.js';

type Listener = (event: ExecutionUpdated) => void;

/**
 * This instance's one subscription to `execution.updated`, fanned out to its own
 * sockets. No queue group: every gateway instance must see every event, so
 * instances scale out without knowing of each other.
 */
@Injectable()
export class ExecutionEventFeed implements EventFeed, OnApplicationBootstrap {
  private readonly log = new Logger('stream');
  private readonly listeners = new Set<Listener>();

  constructor(@Inject(NatsClient) private readonly nats: Pick<NatsClient, 'subscribe'>) {}

  onApplicationBootstrap(): void {
    this.nats.subscribe(subjects.event('execution.updated'), eventSchemas['execution.updated'], (event) => this.deliver(event));
  }

  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  deliver(event: ExecutionUpdated): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        // One broken socket must not keep the event from the others.
        this.log.warn(`delivering execution.updated failed for one client: ${(err as Error).message}`);
      }
    }
  }
}
