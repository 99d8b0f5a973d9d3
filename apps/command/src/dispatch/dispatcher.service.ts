import { Inject, Injectable, Logger } from '@nestjs/common';
import { dispatchReplySchema, subjects, validateVerbParams, type CommandDispatch } from '@fleetplane/contracts';
import { Clock } from '@fleetplane/service-kit';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { CommandRepository } from '../executions/command.repository.js';
import { runBudgetSeconds } from '../executions/deadline.js';
import { ExecutionTransitions, type ExecutionRef } from '../executions/execution-transitions.js';
import { CommandMetrics } from '../metrics/command-metrics.js';
import { decideRetry, DispatchRefusedError, meansAgentNotConnected, PermanentDispatchError } from './retry-policy.js';

/** How long the hub has to write the COMMAND frame and answer. */
export const DISPATCH_REQUEST_TIMEOUT_MS = 5_000;

export type DispatchOutcome =
  { kind: 'dispatched' } | { kind: 'skipped'; reason: string } | { kind: 'retry'; delayMs: number } | { kind: 'failed'; error: string };

/** Sends one execution to the hub holding its agent's socket, and records what happened. */
@Injectable()
export class Dispatcher {
  private readonly log = new Logger(Dispatcher.name);

  constructor(
    @Inject(CommandRepository) private readonly commands: CommandRepository,
    @Inject(ExecutionTransitions) private readonly transitions: ExecutionTransitions,
    @Inject(NatsClient) private readonly nats: Pick<NatsClient, 'request'>,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(CommandMetrics) private readonly metrics: CommandMetrics,
  ) {}

  async dispatch(executionId: string): Promise<DispatchOutcome> {
    const execution = await this.commands.findExecution(executionId);
    if (!execution) return { kind: 'skipped', reason: 'no such execution (its submit was undone)' };
    if (execution.state !== 'PENDING' && execution.state !== 'QUEUED') return { kind: 'skipped', reason: `already ${execution.state}` };
    const deadline = execution.deadlineAt.getTime();
    // The deadline job owns what happens after the deadline (TIMED_OUT).
    if (this.clock.nowMs() >= deadline) return { kind: 'skipped', reason: 'past its deadline' };

    const { command } = execution;
    const attempts = await this.commands.recordAttempt(executionId);
    try {
      const params = validateVerbParams(command.verb, command.params);
      if (!params.ok) throw new PermanentDispatchError(`stored command no longer valid: ${params.field}: ${params.message}`);
      const message: CommandDispatch = {
        executionId,
        commandId: command.id,
        verb: command.verb,
        params: params.params,
        timeoutSeconds: runBudgetSeconds(command.timeoutSeconds, deadline, this.clock.nowMs()),
      };
      const reply = await this.nats.request(subjects.agentCommands(execution.agentId), message, dispatchReplySchema, DISPATCH_REQUEST_TIMEOUT_MS);
      if (!reply.accepted) throw new DispatchRefusedError(`hub refused: ${reply.reason ?? 'no reason given'}`);
    } catch (err) {
      return this.failedAttempt(execution, err, attempts, deadline);
    }

    const at = this.clock.now();
    await this.transitions.markDispatched(execution, at);
    this.metrics.dispatchAttempt('accepted');
    this.metrics.dispatchedAfter((at.getTime() - command.createdAt.getTime()) / 1000);
    return { kind: 'dispatched' };
  }

  private async failedAttempt(execution: ExecutionRef, err: unknown, attempts: number, deadline: number): Promise<DispatchOutcome> {
    const { id, agentId } = execution;
    const decision = decideRetry(err, attempts, this.clock.nowMs(), deadline);
    if (decision.retry) {
      this.metrics.dispatchAttempt('retry');
      this.log.debug(`execution ${id} attempt ${attempts} failed (${(err as Error).message}); retrying in ${decision.delayMs} ms`);
      return { kind: 'retry', delayMs: decision.delayMs };
    }
    const error = meansAgentNotConnected(err) ? `agent ${agentId} is not connected` : `dispatch failed: ${(err as Error).message}`;
    this.metrics.dispatchAttempt('gave_up');
    if (await this.transitions.finish(execution, { state: 'FAILED', finishedAt: this.clock.now(), error })) this.metrics.finished('FAILED');
    this.log.warn(`execution ${id} failed after ${attempts} attempt(s): ${error}`);
    return { kind: 'failed', error };
  }
}
