import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '@fleetplane/service-kit';
import { isTerminal } from '../executions/command-state.js';
import { CommandRepository } from '../executions/command.repository.js';
import { ExecutionTransitions } from '../executions/execution-transitions.js';
import { CommandMetrics } from '../metrics/command-metrics.js';

/** What a deadline check did: ended the execution, found nothing to do, or asks to look again later. */
export type DeadlineOutcome = { kind: 'expired' | 'timed_out' | 'nothing' } | { kind: 'later'; at: Date };

/**
 * An execution's deadline job: it must have reached its agent by its expiry
 * (else EXPIRED), and once dispatched it must report by its run deadline
 * (else TIMED_OUT). The job first runs at the earlier of the two that could
 * apply (see CommandQueue.enqueue) and comes back later while neither is due.
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

  async check(executionId: string): Promise<DeadlineOutcome> {
    const execution = await this.commands.findExecution(executionId);
    if (!execution || isTerminal(execution.state)) return { kind: 'nothing' };
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
      this.log.warn(`execution ${executionId} on agent ${execution.agentId} timed out in state ${execution.state}`);
    }
    return { kind: timedOut ? 'timed_out' : 'nothing' };
  }
}
