import { Inject, Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';
import type { ExecutionUpdate } from '@fleetplane/contracts';
import { isTerminal } from '../executions/command-state.js';
import { CommandProgress } from '../executions/command-progress.js';
import { CommandRepository } from '../executions/command.repository.js';
import { ExecutionTransitions } from '../executions/execution-transitions.js';
import { CommandMetrics } from '../metrics/command-metrics.js';

export type UpdateResult = 'applied' | 'unknown_execution' | 'foreign_agent' | 'already_finished' | 'stale';

const uuid = z.uuid();

/**
 * Applies agent-hub's execution updates. The hub stamps agentId from the
 * socket's authenticated identity, so an update naming another agent than the
 * execution's is not trusted. States only move forward: RUNNING from
 * QUEUED/DISPATCHED, a final state from any unfinished one, and nothing after that.
 */
@Injectable()
export class ExecutionUpdatesService {
  private readonly log = new Logger(ExecutionUpdatesService.name);

  constructor(
    @Inject(CommandRepository) private readonly commands: CommandRepository,
    @Inject(ExecutionTransitions) private readonly transitions: ExecutionTransitions,
    @Inject(CommandMetrics) private readonly metrics: CommandMetrics,
    @Inject(CommandProgress) private readonly progress: Pick<CommandProgress, 'afterFinish'>,
  ) {}

  async apply(u: ExecutionUpdate): Promise<UpdateResult> {
    const result = await this.applyOrIgnore(u);
    if (result !== 'applied') this.metrics.updateIgnored(result);
    if (result === 'foreign_agent' || result === 'unknown_execution') {
      this.log.warn(`ignored ${u.status} for execution ${u.executionId} from agent ${u.agentId}: ${result}`);
    }
    return result;
  }

  private async applyOrIgnore(u: ExecutionUpdate): Promise<UpdateResult> {
    if (!uuid.safeParse(u.executionId).success) return 'unknown_execution';
    const execution = await this.commands.findExecution(u.executionId);
    if (!execution) return 'unknown_execution';
    if (execution.agentId !== u.agentId) return 'foreign_agent';
    if (isTerminal(execution.state)) {
      // A redelivered result whose rate-control step failed the first time: do that step again (idempotent).
      if (u.status !== 'RUNNING') await this.progress.afterFinish(execution.commandId, execution.state);
      return 'already_finished';
    }
    const at = new Date(u.at);

    if (u.status === 'RUNNING') return (await this.transitions.markRunning(execution, at)) ? 'applied' : 'stale';

    // REJECTED: the agent refused it (unknown verb, its queue full); stored as FAILED with its reason.
    const state = u.status === 'REJECTED' ? 'FAILED' : u.status;
    const error = u.status === 'REJECTED' ? `rejected by the agent: ${u.error ?? 'no reason given'}` : (u.error ?? '');
    const finished = await this.transitions.finish(execution, {
      state,
      finishedAt: at,
      exitCode: u.exitCode ?? null,
      stdout: u.stdout ?? '',
      stderr: u.stderr ?? '',
      truncated: (u.truncated ?? false) || execution.truncated,
      error,
    });
    if (!finished) return 'already_finished';
    this.metrics.finished(state);
    return 'applied';
  }
}
