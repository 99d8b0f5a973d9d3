import { Inject, Injectable, Logger } from '@nestjs/common';
import { executionOutputSchema, subjects } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit/nats';
import type { OutputFeed } from './stream-ports.js';
import type { ExecutionOutput } from './stream.protocol.js';

type Listener = (chunk: ExecutionOutput) => void;

interface Followed {
  listeners: Set<Listener>;
  unsubscribe: () => void;
  /** The round trip after the SUB: once it is back, the server routes the subject to us. */
  ready: Promise<void>;
}

/**
 * Output chunks of the executions this instance's sockets follow. One core NATS subscription per
 * followed execution on `fleet.output.<executionId>` (a JetStream subject: core subscribers get
 * its messages too, without a consumer on the stream), opened for the first follower and closed
 * with the last, so the gateway receives output only while someone watches it. Every gateway
 * instance subscribes for its own sockets: no queue group.
 */
@Injectable()
export class ExecutionOutputFeed implements OutputFeed {
  private readonly log = new Logger('stream');
  private readonly followed = new Map<string, Followed>();

  constructor(@Inject(NatsClient) private readonly nats: Pick<NatsClient, 'subscribe' | 'ping'>) {}

  /** Executions with at least one follower on this instance. */
  get executions(): number {
    return this.followed.size;
  }

  follow(executionId: string, listener: Listener): { ready: Promise<void>; stop: () => void } {
    let entry = this.followed.get(executionId);
    if (!entry) {
      const listeners = new Set<Listener>();
      const sub = this.nats.subscribe(subjects.executionOutput(executionId), executionOutputSchema, (chunk) => this.deliver(listeners, chunk));
      // NATS away: the client resubscribes when it is back; the follower is told it is subscribed either way.
      const ready = this.nats.ping().catch((err: Error) => this.log.warn(`output of ${executionId}: subscription not confirmed: ${err.message}`));
      entry = { listeners, unsubscribe: () => sub.unsubscribe(), ready };
      this.followed.set(executionId, entry);
    }
    const current = entry;
    current.listeners.add(listener);
    const stop = () => {
      if (!current.listeners.delete(listener) || current.listeners.size > 0) return;
      current.unsubscribe();
      if (this.followed.get(executionId) === current) this.followed.delete(executionId);
    };
    return { ready: current.ready, stop };
  }

  private deliver(listeners: Set<Listener>, chunk: ExecutionOutput): void {
    for (const listener of listeners) {
      try {
        listener(chunk);
      } catch (err) {
        // One broken socket must not keep the chunk from the others.
        this.log.warn(`delivering execution.output failed for one client: ${(err as Error).message}`);
      }
    }
  }
}
