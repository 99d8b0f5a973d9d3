import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EventPayload } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit/nats';
import type { MovedExecution } from './command.repository.js';

export type AnnouncedState = EventPayload<'execution.updated'>['state'];

/** `execution.updated` for moves the database really made; one per execution, also for bulk moves. */
@Injectable()
export class ExecutionEvents {
  private readonly log = new Logger(ExecutionEvents.name);

  constructor(@Inject(NatsClient) private readonly events: Pick<NatsClient, 'emit'>) {}

  announce(e: MovedExecution, state: AnnouncedState, at: Date, exitCode?: number | null): void {
    const event: EventPayload<'execution.updated'> = {
      commandId: e.commandId,
      executionId: e.id,
      agentId: e.agentId,
      state,
      at: at.toISOString(),
      ...(typeof exitCode === 'number' ? { exitCode } : {}),
    };
    try {
      this.events.emit('execution.updated', event);
    } catch (err) {
      // The database is the truth and already changed; a lost notification only delays a live view.
      this.log.warn(`execution.updated for ${e.id} (${state}) not published: ${(err as Error).message}`);
    }
  }

  announceAll(moved: readonly MovedExecution[], state: AnnouncedState, at: Date): void {
    for (const e of moved) this.announce(e, state, at);
  }
}
