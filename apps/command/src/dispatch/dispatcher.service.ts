import { Inject, Injectable, Logger } from '@nestjs/common';
import { cancelReplySchema, dispatchReplySchema, subjects, validateVerbParams, type CommandDispatch } from '@fleetplane/contracts';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import type { CommandConfig } from '../config.js';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { CommandRepository } from '../executions/command.repository.js';
import { runDeadline } from '../executions/deadline.js';
import { ExecutionTransitions, type ExecutionRef } from '../executions/execution-transitions.js';
import { CommandMetrics } from '../metrics/command-metrics.js';
import { decideRetry, DispatchRefusedError, meansAgentNotConnected, PermanentDispatchError } from './retry-policy.js';

/** How long the hub has to write the COMMAND frame and answer. */
export const DISPATCH_REQUEST_TIMEOUT_MS = 5_000;

export type DispatchOutcome =
  { kind: 'dispatched' } | { kind: 'skipped'; reason: string } | { kind: 'offline' } | { kind: 'retry'; delayMs: number } | { kind: 'failed'; error: string };

/**
 * Sends one execution to the hub holding its agent's socket, and records what
 * happened. An agent connected nowhere is not polled for: the execution waits
 * (QUEUED, "agent offline") until `agent.connected` wakes it or it expires.
 */
@Injectable()
export class Dispatcher {
  private readonly log = new Logger(Dispatcher.name);

  constructor(
    @Inject(CommandRepository) private readonly commands: CommandRepository,
    @Inject(ExecutionTransitions) private readonly transitions: ExecutionTransitions,
    @Inject(NatsClient) private readonly nats: Pick<NatsClient, 'request'>,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(CommandMetrics) private readonly metrics: CommandMetrics,
    @InjectConfig() private readonly config: Pick<CommandConfig, 'OUTPUT_CAP_BYTES'>,
  ) {}

  async dispatch(executionId: string): Promise<DispatchOutcome> {
    const execution = await this.commands.claimForDispatch(executionId);
    if (!execution) {
      const found = await this.commands.findExecution(executionId);
      return { kind: 'skipped', reason: found ? `already ${found.state}` : 'no such execution (its submit was undone)' };
    }
    const expiry = execution.expiresAt?.getTime() ?? execution.deadlineAt.getTime();
    // The deadline job owns what happens after the expiry (EXPIRED).
    if (this.clock.nowMs() >= expiry) return { kind: 'skipped', reason: 'past its expiry' };

    const { command, attempts } = execution;
    try {
      const params = validateVerbParams(command.verb, command.params);
      if (!params.ok) throw new PermanentDispatchError(`stored command no longer valid: ${params.field}: ${params.message}`);
      const message: CommandDispatch = {
        executionId,
        commandId: execution.commandId,
        verb: command.verb,
        params: params.params,
        timeoutSeconds: command.timeoutSeconds,
        priority: command.priority,
        outputCapBytes: this.config.OUTPUT_CAP_BYTES,
      };
      const reply = await this.nats.request(subjects.agentCommands(execution.agentId), message, dispatchReplySchema, DISPATCH_REQUEST_TIMEOUT_MS);
      if (!reply.accepted) throw new DispatchRefusedError(`hub refused: ${reply.reason ?? 'no reason given'}`);
    } catch (err) {
      if (meansAgentNotConnected(err)) {
        await this.commands.markWaitingForAgent(executionId);
        this.metrics.dispatchAttempt('offline');
        return { kind: 'offline' };
      }
      return this.failedAttempt(execution, err, attempts, expiry);
    }

    const at = this.clock.now();
    const deadlineAt = runDeadline(at, command.timeoutSeconds);
    if (!(await this.transitions.markDispatched(execution, at, deadlineAt))) {
      // Cancelled while the COMMAND was on its way: tell the agent to stop it too.
      const now = await this.commands.findExecution(executionId);
      if (now?.state === 'CANCELLED') await this.stopCancelled(execution.agentId, executionId);
    }
    this.metrics.dispatchAttempt('accepted');
    this.metrics.dispatchedAfter((at.getTime() - command.createdAt.getTime()) / 1000);
    return { kind: 'dispatched' };
  }

  private async stopCancelled(agentId: string, executionId: string): Promise<void> {
    await this.nats
      .request(subjects.agentCancel(agentId), { executionId }, cancelReplySchema, DISPATCH_REQUEST_TIMEOUT_MS)
      .catch((err: Error) => this.log.warn(`CANCEL for ${executionId} (cancelled during dispatch) not sent: ${err.message}`));
  }

  private async failedAttempt(execution: ExecutionRef, err: unknown, attempts: number, deadline: number): Promise<DispatchOutcome> {
    const { id, agentId } = execution;
    const decision = decideRetry(err, attempts, this.clock.nowMs(), deadline);
    if (decision.retry) {
      this.metrics.dispatchAttempt('retry');
      this.log.debug(`execution ${id} attempt ${attempts} failed (${(err as Error).message}); retrying in ${decision.delayMs} ms`);
      return { kind: 'retry', delayMs: decision.delayMs };
    }
    const error = `dispatch to agent ${agentId} failed: ${(err as Error).message}`;
    this.metrics.dispatchAttempt('gave_up');
    if (await this.transitions.finish(execution, { state: 'FAILED', finishedAt: this.clock.now(), error })) this.metrics.finished('FAILED');
    this.log.warn(`execution ${id} failed after ${attempts} attempt(s): ${error}`);
    return { kind: 'failed', error };
  }
}
