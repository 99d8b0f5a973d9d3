import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EventPayload } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit/nats';
import type { Execution } from '../generated/prisma/client.js';
import { CommandRepository, type ExecutionOutcome } from './command.repository.js';

/** What a transition needs to know about the execution it moves (and to announce the move). */
export type ExecutionRef = Pick<Execution, 'id' | 'commandId' | 'agentId'>;

/**
 * The one place an execution's state changes after submit. Each move is the
 * repository's conditional write; only a write that really moved the execution
 * is announced as `execution.updated`, so ignored and duplicate updates are silent.
 */
@Injectable()
export class ExecutionTransitions {
  private readonly log = new Logger(ExecutionTransitions.name);

  constructor(
    @Inject(CommandRepository) private readonly commands: CommandRepository,
    @Inject(NatsClient) private readonly events: Pick<NatsClient, 'emit'>,
  ) {}

  async markDispatched(e: ExecutionRef, at: Date): Promise<boolean> {
    return this.announced(e, await this.commands.markDispatched(e.id, at), { state: 'DISPATCHED', at });
  }

  async markRunning(e: ExecutionRef, at: Date): Promise<boolean> {
    return this.announced(e, await this.commands.markRunning(e.id, at), { state: 'RUNNING', at });
  }

  /** False when the execution had already finished: the first outcome stands and nothing is announced. */
  async finish(e: ExecutionRef, o: ExecutionOutcome): Promise<boolean> {
    return this.announced(e, await this.commands.finish(e.id, o), { state: o.state, at: o.finishedAt, exitCode: o.exitCode });
  }

  private announced(
    e: ExecutionRef,
    moved: boolean,
    change: { state: EventPayload<'execution.updated'>['state']; at: Date; exitCode?: number | null },
  ): boolean {
    if (!moved) return false;
    const event: EventPayload<'execution.updated'> = {
      commandId: e.commandId,
      executionId: e.id,
      agentId: e.agentId,
      state: change.state,
      at: change.at.toISOString(),
      ...(typeof change.exitCode === 'number' ? { exitCode: change.exitCode } : {}),
    };
    try {
      this.events.emit('execution.updated', event);
    } catch (err) {
      // The database is the truth and already changed; a lost notification only delays a live view.
      this.log.warn(`execution.updated for ${e.id} (${change.state}) not published: ${(err as Error).message}`);
    }
    return true;
  }
}
