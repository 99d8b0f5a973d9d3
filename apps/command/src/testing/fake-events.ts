import type { EventName, EventPayload } from '@fleetplane/contracts';
import type { NatsClient } from '@fleetplane/service-kit/nats';

/** Records NatsClient.emit calls in unit tests; `failing` makes emit throw as a closed connection would. */
export class FakeEvents {
  readonly emitted: { name: EventName; payload: unknown }[] = [];
  failing = false;

  emit<N extends EventName>(name: N, payload: EventPayload<N>): void {
    if (this.failing) throw new Error('connection closed');
    this.emitted.push({ name, payload });
  }

  asNats(): Pick<NatsClient, 'emit'> {
    return this;
  }
}
