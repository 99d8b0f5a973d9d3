import { Inject, Injectable, Logger } from '@nestjs/common';
import type { TraceCarrier } from '@fleetplane/observability';
import type { Priority } from '../generated/prisma/enums.js';
import { CommandQueue, type QueuedExecution } from './command-queue.js';
import { QueueHandoffRepository } from './queue-handoff.repository.js';

/**
 * Hands released executions to the queue: their dispatch and deadline jobs into BullMQ, then
 * the mark their release set in PostgreSQL cleared. Whatever stops in between (a crash, a kill,
 * a lost connection) leaves the mark, and `QueueRecovery` queues them on any instance.
 */
@Injectable()
export class QueueHandoff {
  private readonly log = new Logger(QueueHandoff.name);

  constructor(
    @Inject(CommandQueue) private readonly queue: CommandQueue,
    @Inject(QueueHandoffRepository) private readonly marks: QueueHandoffRepository,
  ) {}

  /**
   * Throws when the jobs could not be queued (the caller undoes the release). The confirm is not
   * waited for: it is off the submit's latency, and one that fails or is cut short by a shutdown
   * only means the sweep queues those executions once more.
   */
  async enqueue(executions: QueuedExecution[], priority: Priority, trace: TraceCarrier | undefined, timeoutSeconds: number): Promise<void> {
    await this.queue.enqueue(executions, priority, trace, timeoutSeconds);
    void this.confirm(executions.map((e) => e.id));
  }

  /** Best effort: an unconfirmed execution is queued once more by the sweep, and a duplicate job is harmless. */
  async confirm(ids: string[]): Promise<void> {
    try {
      await this.marks.confirm(ids);
    } catch (err) {
      this.log.warn(`${ids.length} execution(s) queued but not confirmed; the recovery sweep will queue them again: ${(err as Error).message}`);
    }
  }
}
