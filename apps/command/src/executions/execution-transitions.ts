import { Inject, Injectable } from '@nestjs/common';
import type { Execution } from '../generated/prisma/client.js';
import { CommandProgress } from './command-progress.js';
import { CommandRepository, type ExecutionOutcome } from './command.repository.js';
import { ExecutionEvents } from './execution-events.js';

/** What a transition needs to know about the execution it moves (and to announce the move). */
export type ExecutionRef = Pick<Execution, 'id' | 'commandId' | 'agentId'>;

/**
 * The one place a single execution's state changes after submit. Each move is
 * the repository's conditional write; only a write that really moved the
 * execution is announced as `execution.updated`, so ignored and duplicate
 * updates are silent. A finish also drives the command's rate control.
 */
@Injectable()
export class ExecutionTransitions {
  constructor(
    @Inject(CommandRepository) private readonly commands: CommandRepository,
    @Inject(ExecutionEvents) private readonly events: ExecutionEvents,
    @Inject(CommandProgress) private readonly progress: CommandProgress,
  ) {}

  async markDispatched(e: ExecutionRef, at: Date, deadlineAt: Date): Promise<boolean> {
    return this.announced(e, await this.commands.markDispatched(e.id, at, deadlineAt), 'DISPATCHED', at);
  }

  async markRunning(e: ExecutionRef, at: Date): Promise<boolean> {
    return this.announced(e, await this.commands.markRunning(e.id, at), 'RUNNING', at);
  }

  /** False when the execution had already finished: the first outcome stands and nothing is announced. */
  async finish(e: ExecutionRef, o: ExecutionOutcome): Promise<boolean> {
    const moved = this.announced(e, await this.commands.finish(e.id, o), o.state, o.finishedAt, o.exitCode);
    if (moved) await this.progress.afterFinish(e.commandId, o.state);
    return moved;
  }

  private announced(e: ExecutionRef, moved: boolean, state: ExecutionOutcome['state'] | 'DISPATCHED' | 'RUNNING', at: Date, exitCode?: number | null): boolean {
    if (moved) this.events.announce(e, state, at, exitCode);
    return moved;
  }
}
