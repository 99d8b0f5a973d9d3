import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '@fleetplane/service-kit';
import { CommandRepository, type ExecutionWithCommand } from '../executions/command.repository.js';
import { ExecutionTransitions } from '../executions/execution-transitions.js';
import { CommandMetrics } from '../metrics/command-metrics.js';

/** What one execution's deadline check did: ended it, found nothing to do, or asks to look again later. */
export type DeadlineOutcome = { kind: 'expired' | 'timed_out' | 'nothing' } | { kind: 'later'; at: Date };

/** What a batch's check did: how many it ended, and which to look at again when. */
export interface BatchDeadlineOutcome {
  ended: number;
  later: Array<{ id: string; at: Date }>;
}

/**
 * A batch's deadline job: each execution must have reached its agent by its expiry (else
 * EXPIRED), and once dispatched it must report by its run deadline (else TIMED_OUT). The job
 * first runs at the earliest of these that could apply (see CommandQueue.enqueue) and comes
 * back later for what is not due yet. The batch is read in one query; finished executions,
 * the usual case by then, cost nothing more.
 */
@Injectable()
export class DeadlineService {
  private readonly log = new Logger(DeadlineService.name);

  constructor(
    @Inject(CommandRepository) private readonly commands: CommandRepository,
    @Inject(ExecutionTransitions) private readonly transitions: ExecutionTransitions,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(CommandMetrics) private readonly metrics: CommandMetrics,
  ) {}

  async check(executionIds: string[]): Promise<BatchDeadlineOutcome> {
    const open = await this.commands.findUnfinishedExecutions(executionIds);
    // One after another: DEADLINE_CONCURRENCY jobs at once bound the writes, as one job per execution did.
    const outcomes: Array<{ id: string; outcome: DeadlineOutcome }> = [];
    for (const e of open) outcomes.push({ id: e.id, outcome: await this.checkOne(e) });
    const later = outcomes.flatMap(({ id, outcome }) => (outcome.kind === 'later' ? [{ id, at: outcome.at }] : []));
    const ended = outcomes.filter(({ outcome }) => outcome.kind === 'expired' || outcome.kind === 'timed_out').length;
    return { ended, later };
  }

  private async checkOne(execution: ExecutionWithCommand): Promise<DeadlineOutcome> {
    const now = this.clock.now();
    if (execution.state === 'PENDING' || execution.state === 'QUEUED') {
      if (execution.expiresAt && now < execution.expiresAt) return { kind: 'later', at: execution.expiresAt };
      const error = `agent ${execution.agentId} did not take it within ${execution.command.ttlSeconds} s${execution.reason ? ` (${execution.reason})` : ''}`;
      const expired = await this.transitions.finish(execution, { state: 'EXPIRED', finishedAt: now, error });
      if (expired) this.metrics.finished('EXPIRED');
      return { kind: expired ? 'expired' : 'nothing' };
    }
    if (now < execution.deadlineAt) return { kind: 'later', at: execution.deadlineAt };
    const timedOut = await this.transitions.finish(execution, {
      state: 'TIMED_OUT',
      finishedAt: now,
      error: `no result within ${execution.command.timeoutSeconds} s of dispatch`,
    });
    if (timedOut) {
      this.metrics.finished('TIMED_OUT');
      this.log.warn(`execution ${execution.id} on agent ${execution.agentId} timed out in state ${execution.state}`);
    }
    return { kind: timedOut ? 'timed_out' : 'nothing' };
  }
}
