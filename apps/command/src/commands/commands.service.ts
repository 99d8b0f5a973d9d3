import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';
import type { commandV1 } from '@fleetplane/contracts/grpc';
import { currentTraceCarrier } from '@fleetplane/observability';
import { grpcError, GrpcStatus, invalidArgument, notFound } from '@fleetplane/service-kit';
import { AgentDirectory, AgentHubUnavailableError } from '../agents/agent-directory.js';
import { COMMAND_CONFIG, type CommandConfig } from '../config.js';
import { commandsSubmitted } from '../metrics.js';
import { CommandQueue } from '../queue/command-queue.js';
import { commandToProto } from './command.mapper.js';
import { CommandRepository, DuplicateIdempotencyKeyError, type CommandWithExecutions } from './command.repository.js';
import { deadlineFor } from './deadline.js';
import { decodePageToken, encodePageToken, type PageCursor } from './page-token.js';
import { validateSubmit } from './submit-validation.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
const LOOKUP_BATCH = 32;

type Limits = Pick<CommandConfig, 'DEFAULT_TIMEOUT_SECONDS' | 'MAX_TIMEOUT_SECONDS'>;
const uuid = z.uuid();

@Injectable()
export class CommandsService {
  constructor(
    @Inject(CommandRepository) private readonly commands: CommandRepository,
    @Inject(AgentDirectory) private readonly agents: AgentDirectory,
    @Inject(CommandQueue) private readonly queue: CommandQueue,
    @Inject(COMMAND_CONFIG) private readonly config: Limits,
  ) {}

  /** The clock; replaced in unit tests. */
  now: () => Date = () => new Date();

  /** Validates, checks the targets with agent-hub, stores QUEUED executions and queues one dispatch job each. */
  async submit(req: commandV1.SubmitCommandRequest): Promise<commandV1.Command> {
    const check = validateSubmit(req, { defaultSeconds: this.config.DEFAULT_TIMEOUT_SECONDS, maxSeconds: this.config.MAX_TIMEOUT_SECONDS });
    if (!check.ok) throw invalidArgument(check.field, check.message);
    const cmd = check.value;

    if (cmd.idempotencyKey) {
      const original = await this.commands.findByIdempotencyKey(cmd.idempotencyKey);
      if (original) return commandToProto(original);
    }
    await this.requireEnrolled(cmd.targets);

    const createdAt = this.now();
    const deadlineAt = deadlineFor(createdAt, cmd.timeoutSeconds);
    let stored: CommandWithExecutions;
    try {
      stored = await this.commands.create({ ...cmd, createdAt, deadlineAt });
    } catch (err) {
      // A concurrent submit with the same key won: answer with its command.
      if (err instanceof DuplicateIdempotencyKeyError && cmd.idempotencyKey) {
        const original = await this.commands.findByIdempotencyKey(cmd.idempotencyKey);
        if (original) return commandToProto(original);
      }
      throw err;
    }

    try {
      await this.queue.enqueue(stored.executions, cmd.priority, currentTraceCarrier(), createdAt.getTime());
    } catch (err) {
      // Stored but not queued would never run: undo, so the caller's retry starts clean.
      await this.queue.retract(stored.executions.map((e) => e.id));
      await this.commands.delete(stored.id);
      throw grpcError(GrpcStatus.UNAVAILABLE, `command queue unavailable, nothing was stored: ${(err as Error).message}`);
    }
    commandsSubmitted.inc({ verb: cmd.verb });
    return commandToProto(stored);
  }

  async get(commandId: string): Promise<commandV1.Command> {
    const found = uuid.safeParse(commandId).success ? await this.commands.findById(commandId) : null;
    if (!found) throw notFound(`command ${commandId}`);
    return commandToProto(found);
  }

  /**
   * Newest first, optionally only commands that target one agent. Executions
   * come without stdout/stderr (up to 512 KiB each), so a page of 500 stays a
   * reasonable message; GetCommand has them.
   */
  async list(req: commandV1.ListCommandsRequest): Promise<commandV1.ListCommandsResponse> {
    const agentId = req.agentId ?? '';
    if (agentId && !agentIdSchema.safeParse(agentId).success) throw invalidArgument('agent_id', 'not a valid agent id');
    const requested = req.pageSize ?? 0;
    if (!Number.isInteger(requested) || requested < 0) throw invalidArgument('page_size', 'must not be negative');
    // Above the maximum is served at the maximum (AIP-158), not refused.
    const pageSize = requested === 0 ? DEFAULT_PAGE_SIZE : Math.min(requested, MAX_PAGE_SIZE);

    let cursor: PageCursor | null = null;
    if (req.pageToken) {
      const decoded = decodePageToken(req.pageToken, agentId);
      if ('error' in decoded) throw invalidArgument('page_token', decoded.error);
      cursor = decoded;
    }
    const rows = await this.commands.list(agentId, cursor, pageSize + 1);
    const page = rows.slice(0, pageSize);
    const last = page.at(-1);
    return {
      commands: page.map(commandToProto),
      nextPageToken: rows.length > pageSize && last ? encodePageToken(agentId, { createdAt: last.createdAt, id: last.id }) : '',
    };
  }

  private async requireEnrolled(targets: string[]): Promise<void> {
    // In batches: a command for a thousand agents must not open a thousand calls at once.
    for (let i = 0; i < targets.length; i += LOOKUP_BATCH) {
      const batch = targets.slice(i, i + LOOKUP_BATCH);
      let results: Awaited<ReturnType<AgentDirectory['lookup']>>[];
      try {
        results = await Promise.all(batch.map((id) => this.agents.lookup(id)));
      } catch (err) {
        if (err instanceof AgentHubUnavailableError) throw grpcError(GrpcStatus.UNAVAILABLE, err.message);
        throw err;
      }
      const missing = batch.find((_, j) => results[j] === 'not_found');
      if (missing) throw notFound(`agent ${missing}`);
    }
  }
}
