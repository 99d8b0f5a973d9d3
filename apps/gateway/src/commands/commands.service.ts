import { BadGatewayException, BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import { validateVerbParams } from '@fleetplane/contracts';
import { commandV1 } from '@fleetplane/contracts/grpc';
import { GrpcStatus, InjectGrpcClient, UpstreamError, type GrpcClient } from '@fleetplane/service-kit/grpc';
import { AuditService } from '../audit/audit.service.js';
import { failureDetails } from '../audit/failure-details.js';
import { actorId, type Caller } from '../auth/principal.js';
import { fieldError } from '../http/field-error.js';
import {
  priorityToProto,
  toCommandView,
  toExecutionView,
  toOutputView,
  type CancelCommandView,
  type CommandView,
  type ExecutionView,
  type OutputView,
} from './command-view.js';
import type { ExecutionPage, ListCommandsQuery, ListExecutionsQuery, OutputQuery, RetryCommandBody, SubmitCommandBody } from './commands.schemas.js';

export const COMMAND = 'command';

/** "10%" → percent, 10 → count: the proto's TargetLimit. */
function toLimit(v: number | string | undefined): commandV1.TargetLimit | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'number' ? { count: v } : { percent: Number(v.slice(0, -1)) };
}

/** The command service names its fields as the proto does; the REST body calls them differently. */
const REST_FIELD: Record<string, string> = {
  selector: 'targets',
  target_agent_ids: 'targets',
  max_concurrency: 'maxConcurrency',
  max_errors: 'maxErrors',
  ttl_seconds: 'ttlSeconds',
  timeout_seconds: 'timeoutSeconds',
  idempotency_key: 'idempotencyKey',
};

function restFieldError(err: unknown): unknown {
  if (!(err instanceof UpstreamError) || err.code !== GrpcStatus.INVALID_ARGUMENT) return err;
  const m = /^([a-z_]+)(\S*): (.+)$/s.exec(err.details);
  const field = m && REST_FIELD[m[1]!];
  return field ? new BadRequestException(fieldError(field, m[3]!)) : err;
}

@Injectable()
export class CommandsService {
  constructor(
    @InjectGrpcClient(COMMAND) private readonly commands: GrpcClient<commandV1.CommandServiceClient>,
    private readonly audit: AuditService,
  ) {}

  async submit(caller: Caller, body: SubmitCommandBody): Promise<CommandView> {
    // A list of 100,000 ids would make one huge audit row: the first hundred and the count.
    const targets: Record<string, string | number | string[]> = Array.isArray(body.targets)
      ? { agentIds: body.targets.slice(0, 100), agentCount: body.targets.length }
      : { selector: JSON.stringify(body.targets) };
    const entry = { action: 'command.submit', details: { verb: body.verb, ...targets, priority: body.priority } };
    // Checked here as well as in the command service, so a typo costs no round trip.
    const check = validateVerbParams(body.verb, body.params);
    if (!check.ok) {
      await this.audit.recordFor(caller, { ...entry, outcome: 'failed', details: { ...entry.details, error: 'INVALID_ARGUMENT', field: check.field } });
      throw new BadRequestException(fieldError(check.field, check.message));
    }
    const selector = Array.isArray(body.targets) ? undefined : body.targets;
    try {
      const res = await this.commands.call('submitCommand', {
        verb: body.verb,
        paramsJson: JSON.stringify(body.params),
        targetAgentIds: Array.isArray(body.targets) ? body.targets : [],
        selector: selector && {
          agentIds: selector.agentIds ?? [],
          site: selector.site ?? '',
          labels: selector.labels ?? {},
          capabilities: selector.capabilities ?? [],
          os: selector.os ?? '',
          ...(selector.connected === undefined ? {} : { connected: selector.connected }),
        },
        priority: priorityToProto(body.priority),
        timeoutSeconds: body.timeoutSeconds ?? 0,
        ttlSeconds: body.ttlSeconds ?? 0,
        maxConcurrency: toLimit(body.maxConcurrency),
        maxErrors: toLimit(body.maxErrors),
        requestedBy: actorId(caller.principal),
        idempotencyKey: body.idempotencyKey ?? '',
      });
      if (!res.command) throw new BadGatewayException('command service returned no command');
      // The resolved target set is the command's executions; its size is in the audit entry.
      await this.audit.recordFor(caller, {
        ...entry,
        outcome: 'success',
        target: res.command.id,
        details: { ...entry.details, matched: res.command.summary?.targets ?? 0 },
      });
      return toCommandView(res.command);
    } catch (err) {
      await this.audit.recordFor(caller, { ...entry, outcome: 'failed', details: { ...entry.details, ...failureDetails(err) } });
      throw restFieldError(err);
    }
  }

  async get(id: string): Promise<CommandView> {
    const res = await this.commands.call('getCommand', { commandId: id });
    if (!res.command) throw new BadGatewayException('command service returned no command');
    return toCommandView(res.command);
  }

  async list(q: ListCommandsQuery): Promise<{ commands: CommandView[]; nextPageToken: string | null }> {
    const res = await this.commands.call('listCommands', { agentId: q.agentId ?? '', pageSize: q.pageSize, pageToken: q.pageToken ?? '' });
    return { commands: (res.commands ?? []).map(toCommandView), nextPageToken: res.nextPageToken || null };
  }

  async executions(commandId: string, q: ListExecutionsQuery): Promise<ExecutionPage> {
    const res = await this.commands.call('listExecutions', {
      commandId,
      state: q.state ? (`COMMAND_STATE_${q.state}` as commandV1.CommandState) : commandV1.CommandState.COMMAND_STATE_UNSPECIFIED,
      ...(q.exitCode === undefined ? {} : { exitCode: q.exitCode }),
      pageSize: q.pageSize,
      pageToken: q.pageToken ?? '',
    });
    return { executions: (res.executions ?? []).map(toExecutionView), nextPageToken: res.nextPageToken || null };
  }

  async output(commandId: string, executionId: string, q: OutputQuery): Promise<OutputView> {
    const res = await this.commands.call('getExecutionOutput', {
      commandId,
      executionId,
      stream: q.stream === 'stderr' ? commandV1.OutputStream.OUTPUT_STREAM_STDERR : commandV1.OutputStream.OUTPUT_STREAM_STDOUT,
      offset: q.offset,
      limit: q.limit,
    });
    return toOutputView(res);
  }

  cancel(caller: Caller, commandId: string): Promise<CancelCommandView> {
    return this.audited(caller, { action: 'command.cancel', target: commandId }, async () => {
      const res = await this.commands.call('cancelCommand', { commandId, requestedBy: actorId(caller.principal) });
      if (!res.command) throw new BadGatewayException('command service returned no command');
      return { command: toCommandView(res.command), cancelled: res.cancelled ?? 0, stopping: res.stopping ?? 0 };
    });
  }

  cancelExecution(caller: Caller, commandId: string, executionId: string): Promise<{ execution: ExecutionView }> {
    return this.audited(caller, { action: 'execution.cancel', target: executionId, details: { commandId } }, async () => {
      const res = await this.commands.call('cancelExecution', { commandId, executionId, requestedBy: actorId(caller.principal) });
      if (!res.execution) throw new BadGatewayException('command service returned no execution');
      return { execution: toExecutionView(res.execution) };
    });
  }

  retry(caller: Caller, commandId: string, body: RetryCommandBody): Promise<CommandView> {
    return this.audited(caller, { action: 'command.retry', target: commandId }, async () => {
      try {
        const res = await this.commands.call('retryCommand', { commandId, requestedBy: actorId(caller.principal), idempotencyKey: body.idempotencyKey ?? '' });
        if (!res.command) throw new BadGatewayException('command service returned no command');
        return toCommandView(res.command);
      } catch (err) {
        if (err instanceof UpstreamError && err.code === GrpcStatus.FAILED_PRECONDITION) throw new ConflictException(err.details);
        throw err;
      }
    });
  }

  /** Runs a mutation and writes its audit entry, success or failure (with the new command's id for a retry). */
  private async audited<T>(caller: Caller, entry: { action: string; target: string; details?: Record<string, string> }, run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      const retried = result as { id?: string; retryOf?: string | null };
      const created: Record<string, string> = retried.retryOf && retried.id ? { newCommandId: retried.id } : {};
      await this.audit.recordFor(caller, { ...entry, outcome: 'success', details: { ...entry.details, ...created } });
      return result;
    } catch (err) {
      await this.audit.recordFor(caller, { ...entry, outcome: 'failed', details: { ...entry.details, ...failureDetails(err) } });
      throw err;
    }
  }
}
