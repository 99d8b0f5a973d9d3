import { Inject, Injectable, Logger } from '@nestjs/common';
import { cancelReplySchema, subjects } from '@fleetplane/contracts';
import type { commandV1 } from '@fleetplane/contracts/grpc';
import { Clock } from '@fleetplane/service-kit';
import { grpcError, GrpcStatus, invalidArgument, notFound } from '@fleetplane/service-kit/grpc';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { z } from 'zod';
import { CommandRepository, type MovedExecution } from '../executions/command.repository.js';
import { ExecutionEvents } from '../executions/execution-events.js';
import { CommandMetrics } from '../metrics/command-metrics.js';
import { executionToProto } from './command.mapper.js';
import { CommandsService } from './commands.service.js';
import { SubmitCommand } from './submit-command.usecase.js';

/** How long the hub has to write a CANCEL frame and answer. */
const CANCEL_REQUEST_TIMEOUT_MS = 2_000;
/** CANCEL requests in flight at once when a whole command stops. */
const CANCEL_WINDOW = 64;
/** SIGTERM, then SIGKILL after this long. */
export const CANCEL_GRACE_MS = 5_000;

const uuid = z.uuid();

/**
 * Stopping and re-running. Cancel: executions not yet sent end CANCELLED at
 * once (one UPDATE); running ones get a CANCEL frame through the hub holding
 * their agent, which kills the process group and reports CANCELLED with the
 * output so far. Retry: a new command, linked to the old one, for the
 * targets that failed, timed out or expired.
 */
@Injectable()
export class CommandControl {
  private readonly log = new Logger(CommandControl.name);

  constructor(
    @Inject(CommandRepository) private readonly commands: CommandRepository,
    @Inject(CommandsService) private readonly reads: CommandsService,
    @Inject(SubmitCommand) private readonly submit: SubmitCommand,
    @Inject(ExecutionEvents) private readonly events: ExecutionEvents,
    @Inject(NatsClient) private readonly nats: Pick<NatsClient, 'request'>,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(CommandMetrics) private readonly metrics: CommandMetrics,
  ) {}

  async cancelCommand(req: commandV1.CancelCommandRequest): Promise<commandV1.CancelCommandResponse> {
    const command = await this.reads.require(req.commandId);
    const by = requester(req.requestedBy);
    const at = this.clock.now();
    await this.commands.endCommand(command.id, `cancelled by ${by}`, at);
    const cancelled = await this.commands.finishAllIn(command.id, ['PENDING', 'QUEUED'], 'CANCELLED', `cancelled by ${by}`, at);
    this.events.announceAll(cancelled, 'CANCELLED', at);
    this.metrics.finished('CANCELLED', cancelled.length);
    const running = await this.commands.requestCancel(command.id, null, at);
    await this.stopAll(running);
    this.metrics.cancelled('command');
    return { command: await this.reads.view((await this.commands.findById(command.id)) ?? command), cancelled: cancelled.length, stopping: running.length };
  }

  async cancelExecution(req: commandV1.CancelExecutionRequest): Promise<commandV1.CancelExecutionResponse> {
    const by = requester(req.requestedBy);
    const execution = uuid.safeParse(req.executionId).success ? await this.commands.findExecution(req.executionId) : null;
    if (!execution || execution.commandId !== req.commandId) throw notFound(`execution ${req.executionId} of command ${req.commandId}`);
    const at = this.clock.now();
    if (await this.commands.cancelUnsent(execution.id, `cancelled by ${by}`, at)) {
      this.events.announce(execution, 'CANCELLED', at);
      this.metrics.finished('CANCELLED');
    } else {
      await this.stopAll(await this.commands.requestCancel(execution.commandId, execution.id, at));
    }
    this.metrics.cancelled('execution');
    const now = await this.commands.findExecution(execution.id);
    return { execution: executionToProto(now ?? execution) };
  }

  async retry(req: commandV1.RetryCommandRequest): Promise<commandV1.RetryCommandResponse> {
    const command = await this.reads.require(req.commandId);
    const agentIds = await this.commands.retryTargets(command.id);
    if (agentIds.length === 0) throw grpcError(GrpcStatus.FAILED_PRECONDITION, `command ${command.id} has no failed, timed-out or expired executions to retry`);
    const retried = await this.submit.resubmit({ command, agentIds, requestedBy: requester(req.requestedBy), idempotencyKey: req.idempotencyKey ?? '' });
    return { command: await this.reads.view(retried.command, retried.counts) };
  }

  /**
   * CANCEL to each running execution's agent, a bounded window at a time. An
   * agent connected nowhere cannot be told: its execution ends by its result
   * (the agent re-sends it on reconnect) or its run deadline.
   */
  private async stopAll(running: MovedExecution[]): Promise<void> {
    for (let i = 0; i < running.length; i += CANCEL_WINDOW) {
      await Promise.all(running.slice(i, i + CANCEL_WINDOW).map((e) => this.stop(e)));
    }
  }

  private async stop(e: MovedExecution): Promise<void> {
    try {
      const reply = await this.nats.request(
        subjects.agentCancel(e.agentId),
        { executionId: e.id, graceMs: CANCEL_GRACE_MS },
        cancelReplySchema,
        CANCEL_REQUEST_TIMEOUT_MS,
      );
      if (!reply.delivered) this.log.warn(`CANCEL for ${e.id} not delivered: ${reply.reason ?? 'no reason'}`);
    } catch (err) {
      this.log.warn(`CANCEL for ${e.id} on agent ${e.agentId} not sent: ${(err as Error).message}`);
    }
  }
}

function requester(by: string | undefined): string {
  const v = (by ?? '').trim();
  if (!v) throw invalidArgument('requested_by', 'the authenticated caller is required for the audit trail');
  return v.slice(0, 320);
}
