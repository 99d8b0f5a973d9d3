import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';
import { commandV1 } from '@fleetplane/contracts/grpc';
import { PageTokenCodec, pageSize, takePage } from '@fleetplane/service-kit';
import { decodeGrpcPageToken, invalidArgument, notFound } from '@fleetplane/service-kit/grpc';
import { CommandRepository, type ListCursor } from '../executions/command.repository.js';
import { ExecutionQueries, type CommandCounts } from '../executions/execution-queries.repository.js';
import type { Command } from '../generated/prisma/client.js';
import type { ExecutionState } from '../generated/prisma/enums.js';
import { OutputRepository } from '../output/output.repository.js';
import { commandToProto, executionToProto, listedCommandToProto } from './command.mapper.js';

const uuid = z.uuid();
/** The most one GetExecutionOutput returns, and its default. */
export const MAX_OUTPUT_READ = 1024 * 1024;

/** ListCommands' page tokens, bound to the agent filter ('' for none). */
const pageTokens = new PageTokenCodec<ListCursor>(z.object({ key: z.coerce.date(), id: z.uuid() }), 'ListCommands');
/** ListExecutions' page tokens: the last agent id, bound to the command and the filters. */
const executionTokens = new PageTokenCodec<{ agentId: string }>(z.object({ agentId: z.string() }), 'ListExecutions');

const STATE_FROM_PROTO = new Map<commandV1.CommandState, ExecutionState>(
  (['PENDING', 'QUEUED', 'DISPATCHED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT', 'SKIPPED', 'EXPIRED'] as const).map((s) => [
    commandV1.CommandState[`COMMAND_STATE_${s}`],
    s,
  ]),
);

/** Reading commands: one with its summary, listings, a command's executions and an execution's output. */
@Injectable()
export class CommandsService {
  constructor(
    @Inject(CommandRepository) private readonly commands: CommandRepository,
    @Inject(ExecutionQueries) private readonly queries: ExecutionQueries,
    @Inject(OutputRepository) private readonly output: OutputRepository,
  ) {}

  async get(commandId: string): Promise<commandV1.Command> {
    return this.view(await this.require(commandId));
  }

  /** The command as the API shows it, with the summary of its executions (read, unless given). */
  async view(c: Command, counts?: CommandCounts | null): Promise<commandV1.Command> {
    return commandToProto(c, counts ?? (await this.queries.counts(c.id)));
  }

  async require(commandId: string): Promise<Command> {
    const found = uuid.safeParse(commandId).success ? await this.commands.findById(commandId) : null;
    if (!found) throw notFound(`command ${commandId}`);
    return found;
  }

  /** Newest first, optionally only commands that target one agent; each with its counts per state. */
  async list(req: commandV1.ListCommandsRequest): Promise<commandV1.ListCommandsResponse> {
    const agentId = req.agentId ?? '';
    if (agentId && !agentIdSchema.safeParse(agentId).success) throw invalidArgument('agent_id', 'not a valid agent id');
    const size = requestedPageSize(req.pageSize);
    const cursor = decodeGrpcPageToken(pageTokens, req.pageToken, agentId);
    const rows = await this.commands.list(agentId, cursor, size + 1);
    const page = takePage(rows, size, (last): ListCursor => ({ key: last.createdAt, id: last.id }));
    const counts = await this.queries.stateCounts(page.items.map((c) => c.id));
    return {
      commands: page.items.map((c) => listedCommandToProto(c, counts.get(c.id) ?? {})),
      nextPageToken: page.next ? pageTokens.encode(page.next, agentId) : '',
    };
  }

  async listExecutions(req: commandV1.ListExecutionsRequest): Promise<commandV1.ListExecutionsResponse> {
    const command = await this.require(req.commandId);
    const state = req.state && req.state !== commandV1.CommandState.COMMAND_STATE_UNSPECIFIED ? STATE_FROM_PROTO.get(req.state) : undefined;
    if (req.state && req.state !== commandV1.CommandState.COMMAND_STATE_UNSPECIFIED && !state) throw invalidArgument('state', `unknown state ${req.state}`);
    const filter = { ...(state ? { state } : {}), ...(req.exitCode !== undefined ? { exitCode: req.exitCode } : {}) };
    const size = requestedPageSize(req.pageSize);
    const scope = `${command.id}:${state ?? ''}:${req.exitCode ?? ''}`;
    const cursor = decodeGrpcPageToken(executionTokens, req.pageToken, scope);
    const rows = await this.queries.list(command.id, filter, cursor?.agentId, size + 1);
    const page = takePage(rows, size, (last) => ({ agentId: last.agentId }));
    return { executions: page.items.map(executionToProto), nextPageToken: page.next ? executionTokens.encode(page.next, scope) : '' };
  }

  async readOutput(req: commandV1.GetExecutionOutputRequest): Promise<commandV1.GetExecutionOutputResponse> {
    const streams: Partial<Record<string, 'STDOUT' | 'STDERR'>> = {
      [commandV1.OutputStream.OUTPUT_STREAM_UNSPECIFIED]: 'STDOUT',
      [commandV1.OutputStream.OUTPUT_STREAM_STDOUT]: 'STDOUT',
      [commandV1.OutputStream.OUTPUT_STREAM_STDERR]: 'STDERR',
    };
    const stream = streams[req.stream ?? commandV1.OutputStream.OUTPUT_STREAM_UNSPECIFIED];
    if (!stream) throw invalidArgument('stream', 'must be stdout or stderr');
    const offset = Number(req.offset ?? 0);
    if (!Number.isSafeInteger(offset) || offset < 0) throw invalidArgument('offset', 'must be a byte offset of 0 or more');
    const limit = req.limit ?? 0;
    if (!Number.isInteger(limit) || limit < 0) throw invalidArgument('limit', 'must not be negative');
    const execution = uuid.safeParse(req.executionId).success ? await this.commands.findExecution(req.executionId) : null;
    if (!execution || execution.commandId !== req.commandId) throw notFound(`execution ${req.executionId} of command ${req.commandId}`);
    const range = await this.output.read(execution.id, stream, offset, limit === 0 ? MAX_OUTPUT_READ : Math.min(limit, MAX_OUTPUT_READ));
    if (!range) throw notFound(`execution ${req.executionId}`);
    return {
      data: range.data,
      offset: range.offset,
      nextOffset: range.nextOffset,
      storedBytes: range.storedBytes,
      truncated: range.truncated,
      complete: range.complete,
    };
  }
}

/** 0 is the default; above the maximum is served at the maximum (AIP-158), not refused. */
function requestedPageSize(requested: number | undefined): number {
  const n = requested ?? 0;
  if (!Number.isInteger(n) || n < 0) throw invalidArgument('page_size', 'must not be negative');
  return pageSize(n);
}
