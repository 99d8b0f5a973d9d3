import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';
import type { commandV1 } from '@fleetplane/contracts/grpc';
import { currentTraceCarrier } from '@fleetplane/observability';
import { Clock, InjectConfig, PageTokenCodec, pageSize, takePage } from '@fleetplane/service-kit';
import { decodeGrpcPageToken, grpcError, GrpcStatus, invalidArgument, notFound } from '@fleetplane/service-kit/grpc';
import { AgentDirectory, AgentHubUnavailableError } from '../agents/agent-directory.js';
import type { CommandConfig } from '../config.js';
import { CommandRepository, DuplicateIdempotencyKeyError, type CommandWithExecutions, type ListCursor } from '../executions/command.repository.js';
import { deadlineFor } from '../executions/deadline.js';
import { CommandMetrics } from '../metrics/command-metrics.js';
import { CommandQueue } from '../queue/command-queue.js';
import { commandToProto } from './command.mapper.js';
import { validateSubmit } from './submit-validation.js';

const LOOKUP_BATCH = 32;

type Limits = Pick<CommandConfig, 'DEFAULT_TIMEOUT_SECONDS' | 'MAX_TIMEOUT_SECONDS'>;
const uuid = z.uuid();

/** ListCommands' page tokens, bound to the agent filter ('' for none). */
const pageTokens = new PageTokenCodec<ListCursor>(z.object({ key: z.coerce.date(), id: z.uuid() }), 'ListCommands');

@Injectable()
export class CommandsService {
  constructor(
    @Inject(CommandRepository) private readonly commands: CommandRepository,
    @Inject(AgentDirectory) private readonly agents: AgentDirectory,
    @Inject(CommandQueue) private readonly queue: CommandQueue,
    @InjectConfig() private readonly config: Limits,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(CommandMetrics) private readonly metrics: CommandMetrics,
  ) {}

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

    const createdAt = this.clock.now();
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
      await this.queue.enqueue(stored.executions, cmd.priority, currentTraceCarrier());
    } catch (err) {
      // Stored but not queued would never run: undo, so the caller's retry starts clean.
      await this.queue.retract(stored.executions.map((e) => e.id));
      await this.commands.delete(stored.id);
      throw grpcError(GrpcStatus.UNAVAILABLE, `command queue unavailable, nothing was stored: ${(err as Error).message}`);
    }
    this.metrics.submitted(cmd.verb);
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
    // 0 is the default; above the maximum is served at the maximum (AIP-158), not refused.
    const size = pageSize(requested);
    const cursor = decodeGrpcPageToken(pageTokens, req.pageToken, agentId);
    const rows = await this.commands.list(agentId, cursor, size + 1);
    const page = takePage(rows, size, (last): ListCursor => ({ key: last.createdAt, id: last.id }));
    return { commands: page.items.map(commandToProto), nextPageToken: page.next ? pageTokens.encode(page.next, agentId) : '' };
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
