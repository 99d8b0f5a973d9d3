import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '@fleetplane/service-kit';
import { isTerminal } from '../executions/command-state.js';
import { CommandRepository } from '../executions/command.repository.js';
import { ExecutionTransitions } from '../executions/execution-transitions.js';
import { CommandMetrics } from '../metrics/command-metrics.js';

/** Ends an execution that has no result by its deadline. */
@Injectable()
export class DeadlineService {
  private readonly log = new Logger(DeadlineService.name);

  constructor(
    @Inject(CommandRepository) private readonly commands: CommandRepository,
    @Inject(ExecutionTransitions) private readonly transitions: ExecutionTransitions,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(CommandMetrics) private readonly metrics: CommandMetrics,
  ) {}

  /** True when the execution was still unfinished and is now TIMED_OUT. */
  async expire(executionId: string): Promise<boolean> {
    const execution = await this.commands.findExecution(executionId);
    if (!execution || isTerminal(execution.state)) return false;
    const seconds = Math.round((execution.deadlineAt.getTime() - execution.command.createdAt.getTime()) / 1000);
    const timedOut = await this.transitions.finish(execution, { state: 'TIMED_OUT', finishedAt: this.clock.now(), error: `no result within ${seconds} s` });
    if (timedOut) {
      this.metrics.finished('TIMED_OUT');
      this.log.warn(`execution ${executionId} on agent ${execution.agentId} timed out in state ${execution.state}`);
    }
    return timedOut;
  }
}
