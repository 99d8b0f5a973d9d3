import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Clock, InjectConfig, PeriodicTask } from '@fleetplane/service-kit';
import type { CommandConfig } from '../config.js';
import { CommandMetrics } from '../metrics/command-metrics.js';
import { QueueHandoff } from './queue-handoff.js';
import { QueueHandoffRepository, type UnconfirmedExecution } from './queue-handoff.repository.js';

const CLAIM_LIMIT = 1_000;

/**
 * Every QUEUE_RECOVERY_SECONDS, on every instance: executions released more than that long ago
 * whose jobs were never confirmed in the queue (the instance that stored them died before
 * queueing) get their dispatch and deadline jobs. Without this they would stay QUEUED for ever:
 * no job sends them, and no deadline job expires them.
 */
@Injectable()
export class QueueRecovery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(QueueRecovery.name);
  private readonly task: PeriodicTask<number>;

  constructor(
    @Inject(QueueHandoffRepository) private readonly marks: QueueHandoffRepository,
    @Inject(QueueHandoff) private readonly handoff: QueueHandoff,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(CommandMetrics) private readonly metrics: CommandMetrics,
    @InjectConfig() private readonly config: Pick<CommandConfig, 'QUEUE_RECOVERY_SECONDS'>,
  ) {
    this.task = new PeriodicTask(() => this.sweep(), config.QUEUE_RECOVERY_SECONDS * 1000);
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** Queues what was left unqueued; returns how many executions got jobs. */
  async sweep(): Promise<number> {
    let recovered = 0;
    try {
      for (;;) {
        const now = this.clock.now();
        const claimed = await this.marks.claimUnconfirmed(new Date(now.getTime() - this.config.QUEUE_RECOVERY_SECONDS * 1000), now, CLAIM_LIMIT);
        recovered += await this.requeue(claimed, now);
        if (claimed.length < CLAIM_LIMIT) break;
      }
    } catch (err) {
      this.log.warn(`queue recovery sweep failed (next in ${this.config.QUEUE_RECOVERY_SECONDS} s): ${(err as Error).message}`);
    }
    if (recovered > 0) {
      this.metrics.queueRecovered(recovered);
      this.log.warn(`queued ${recovered} execution(s) whose jobs were never queued (an instance died between storing and queueing them)`);
    }
    return recovered;
  }

  private async requeue(claimed: UnconfirmedExecution[], now: Date): Promise<number> {
    // Finished meanwhile (cancelled, skipped by max errors): nothing to queue, only the mark to clear.
    await this.handoff.confirm(claimed.filter((e) => e.finished).map((e) => e.id));
    const byCommand = new Map<string, UnconfirmedExecution[]>();
    for (const e of claimed) {
      if (e.finished) continue;
      const same = byCommand.get(e.commandId);
      if (same) same.push(e);
      else byCommand.set(e.commandId, [e]);
    }
    let queued = 0;
    for (const executions of byCommand.values()) {
      const { priority, timeoutSeconds } = executions[0]!;
      await this.handoff.enqueue(
        executions.map((e) => ({ id: e.id, expiresAt: e.expiresAt ?? now })),
        priority,
        undefined,
        timeoutSeconds,
      );
      queued += executions.length;
    }
    return queued;
  }
}
