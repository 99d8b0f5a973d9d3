import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '@fleetplane/service-kit';
import type { ExecutionState } from '../generated/prisma/enums.js';
import { QueueHandoff } from '../queue/queue-handoff.js';
import { ERROR_STATES } from './command-state.js';
import { CommandRepository } from './command.repository.js';
import { ExecutionEvents } from './execution-events.js';

/**
 * Rate control, as AWS SSM Run Command does it: after each finished
 * execution, a command with max_errors checks whether too many failed (then
 * everything not yet sent is SKIPPED and the command ends FAILED with the
 * reason), and a command with max_concurrency releases the next held-back
 * executions into the dispatch queue.
 */
@Injectable()
export class CommandProgress {
  private readonly log = new Logger(CommandProgress.name);

  constructor(
    @Inject(CommandRepository) private readonly commands: CommandRepository,
    @Inject(QueueHandoff) private readonly queue: QueueHandoff,
    @Inject(ExecutionEvents) private readonly events: ExecutionEvents,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** Idempotent: a redelivered result may call it again for the same execution. */
  async afterFinish(commandId: string, state: ExecutionState): Promise<void> {
    const command = await this.commands.findById(commandId);
    if (!command || command.endReason) return;
    if (command.maxErrors !== null && ERROR_STATES.includes(state)) {
      const errors = await this.commands.countInStates(commandId, ERROR_STATES);
      if (errors > command.maxErrors) {
        const reason = `max errors exceeded: ${errors} failed, ${command.maxErrors} allowed`;
        await this.commands.endCommand(commandId, reason, null);
        const at = this.clock.now();
        const skipped = await this.commands.finishAllIn(commandId, ['PENDING', 'QUEUED'], 'SKIPPED', reason, at);
        this.events.announceAll(skipped, 'SKIPPED', at);
        this.log.log(`command ${commandId}: ${reason}; ${skipped.length} execution(s) skipped`);
        return;
      }
    }
    if (command.maxConcurrency !== null) await this.release(command.id, command.maxConcurrency, command.priority, command.ttlSeconds, command.timeoutSeconds);
  }

  /** Fills the command's concurrency window from its held-back executions. */
  async release(commandId: string, maxConcurrency: number, priority: Parameters<QueueHandoff['enqueue']>[1], ttl: number, timeout: number): Promise<void> {
    const released = await this.commands.releasePending(commandId, maxConcurrency, this.clock.now(), ttl, timeout);
    if (released.length === 0) return;
    try {
      await this.queue.enqueue(released, priority, undefined, timeout);
    } catch (err) {
      // Released without a job would wait forever: hold them back again and let the caller's
      // retry (the redelivered result calls afterFinish again) release them.
      await this.commands.unrelease(released.map((r) => r.id));
      throw err;
    }
    this.events.announceAll(
      released.map((r) => ({ ...r, commandId })),
      'QUEUED',
      this.clock.now(),
    );
  }
}
