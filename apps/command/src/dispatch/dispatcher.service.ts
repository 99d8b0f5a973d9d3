import { Inject, Injectable, Logger } from '@nestjs/common';
import { dispatchReplySchema, subjects, validateVerbParams, type CommandDispatch } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit';
import { runBudgetSeconds } from '../commands/deadline.js';
import { CommandRepository } from '../commands/command.repository.js';
import { ExecutionTransitions, type ExecutionRef } from '../commands/execution-transitions.js';
import { dispatchAttempts, dispatchLatency, executionsFinished } from '../metrics.js';
import { decideRetry, DispatchRefusedError, meansAgentNotConnected, PermanentDispatchError } from './retry-policy.js';

/** How long the hub has to write the COMMAND frame and answer. */
export const DISPATCH_REQUEST_TIMEOUT_MS = 5_000;

export type DispatchOutcome =
  | { kind: 'dispatched' }
  | { kind: 'skipped'; reason: string }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'failed'; error: string };

/** Sends one execution to the hub holding its agent's socket, and records what happened. */
@Injectable()
export class Dispatcher {
  private readonly log = new Logger(Dispatcher.name);

  constructor(
    @Inject(CommandRepository) private readonly commands: CommandRepository,
    @Inject(ExecutionTransitions) private readonly transitions: ExecutionTransitions,
    @Inject(NatsClient) private readonly nats: Pick<NatsClient, 'request'>,
  ) {}

  /** The clock; replaced in unit tests. */
  now: () => number = () => Date.now();

  async dispatch(executionId: string): Promise<DispatchOutcome> {
    const execution = await this.commands.findExecution(executionId);
    if (!execution) return { kind: 'skipped', reason: 'no such execution (its submit was undone)' };
    if (execution.state !== 'PENDING' && execution.state !== 'QUEUED') return { kind: 'skipped', reason: `already ${execution.state}` };
    const deadline = execution.deadlineAt.getTime();
    // The deadline job owns what happens after the deadline (TIMED_OUT).
    if (this.now() >= deadline) return { kind: 'skipped', reason: 'past its deadline' };

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
        timeoutSeconds: runBudgetSeconds(command.timeoutSeconds, deadline, this.now()),
      };
      const reply = await this.nats.request(subjects.agentCommands(execution.agentId), message, dispatchReplySchema, DISPATCH_REQUEST_TIMEOUT_MS);
      if (!reply.accepted) throw new DispatchRefusedError(`hub refused: ${reply.reason ?? 'no reason given'}`);
    } catch (err) {
      return this.failedAttempt(execution, err, attempts, deadline);
    }

    const at = new Date(this.now());
    await this.transitions.markDispatched(execution, at);
    dispatchAttempts.inc({ outcome: 'accepted' });
    dispatchLatency.observe((at.getTime() - command.createdAt.getTime()) / 1000);
    return { kind: 'dispatched' };
  }

  private async failedAttempt(execution: ExecutionRef, err: unknown, attempts: number, deadline: number): Promise<DispatchOutcome> {
    const { id, agentId } = execution;
    const decision = decideRetry(err, attempts, this.now(), deadline);
    if (decision.retry) {
      dispatchAttempts.inc({ outcome: 'retry' });
      this.log.debug(`execution ${id} attempt ${attempts} failed (${(err as Error).message}); retrying in ${decision.delayMs} ms`);
      return { kind: 'retry', delayMs: decision.delayMs };
    }
    const error = meansAgentNotConnected(err) ? `agent ${agentId} is not connected` : `dispatch failed: ${(err as Error).message}`;
    dispatchAttempts.inc({ outcome: 'gave_up' });
    if (await this.transitions.finish(execution, { state: 'FAILED', finishedAt: new Date(this.now()), error })) executionsFinished.inc({ state: 'FAILED' });
    this.log.warn(`execution ${id} failed after ${attempts} attempt(s): ${error}`);
    return { kind: 'failed', error };
  }
}

