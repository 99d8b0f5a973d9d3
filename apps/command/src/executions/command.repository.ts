import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { keysetOrderBy, keysetWhere, type KeysetCursor } from '@fleetplane/service-kit';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { Command, Execution } from '../generated/prisma/client.js';
import type { ExecutionState, Priority } from '../generated/prisma/enums.js';
import { UNFINISHED_STATES } from './command-state.js';

export type CommandWithExecutions = Command & { executions: Execution[] };
/** An execution without its output (up to 2 × MAX_OUTPUT_BYTES each), for listings. */
export type ExecutionSummary = Omit<Execution, 'stdout' | 'stderr'>;
export type CommandSummary = Command & { executions: ExecutionSummary[] };
export type ExecutionWithCommand = Execution & { command: Command };

export interface NewCommand {
  verb: string;
  params: Record<string, unknown>;
  priority: Priority;
  requestedBy: string;
  timeoutSeconds: number;
  idempotencyKey: string | null;
  targets: string[];
  /** When each execution stops waiting for a result. */
  deadlineAt: Date;
  createdAt: Date;
}

export interface ExecutionOutcome {
  state: Extract<ExecutionState, 'COMPLETED' | 'FAILED' | 'TIMED_OUT' | 'CANCELLED'>;
  finishedAt: Date;
  exitCode?: number | null;
  stdout?: string;
  stderr?: string;
  truncated?: boolean;
  error?: string;
}

/** Thrown when another submit with the same idempotency key won the race. */
export class DuplicateIdempotencyKeyError extends Error {}

const withExecutions = { executions: { orderBy: { agentId: 'asc' } } } as const;
const withExecutionSummaries = { executions: { orderBy: { agentId: 'asc' }, omit: { stdout: true, stderr: true } } } as const;

/** Where a listing continues: the last command's creation time and id. */
export type ListCursor = KeysetCursor<Date>;
const NEWEST_FIRST = { field: 'createdAt', direction: 'desc' } as const;

/** Commands and executions in PostgreSQL. Every state change is conditional, so a finished execution never moves back. */
@Injectable()
export class CommandRepository {
  constructor(@Inject(PrismaClient) private readonly prisma: PrismaClient) {}

  findById(id: string): Promise<CommandWithExecutions | null> {
    return this.prisma.command.findUnique({ where: { id }, include: withExecutions });
  }

  findByIdempotencyKey(key: string): Promise<CommandWithExecutions | null> {
    return this.prisma.command.findUnique({ where: { idempotencyKey: key }, include: withExecutions });
  }

  /** Stores the command and one QUEUED execution per target in one transaction. */
  async create(c: NewCommand): Promise<CommandWithExecutions> {
    try {
      return await this.prisma.command.create({
        data: {
          id: randomUUID(),
          verb: c.verb,
          params: c.params as Prisma.InputJsonObject,
          priority: c.priority,
          requestedBy: c.requestedBy,
          timeoutSeconds: c.timeoutSeconds,
          idempotencyKey: c.idempotencyKey,
          createdAt: c.createdAt,
          executions: {
            // Same createdAt as the command: listing by agent pages on (created_at, command_id).
            create: c.targets.map((agentId) => ({ id: randomUUID(), agentId, state: 'QUEUED', deadlineAt: c.deadlineAt, createdAt: c.createdAt })),
          },
        },
        include: withExecutions,
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') throw new DuplicateIdempotencyKeyError();
      throw err;
    }
  }

  /** Compensation when the jobs could not be queued: the submit fails as a whole. */
  async delete(id: string): Promise<void> {
    await this.prisma.command.deleteMany({ where: { id } });
  }

  /** Newest first; keyset pagination on (createdAt, id). */
  async list(agentId: string, cursor: ListCursor | undefined, take: number): Promise<CommandSummary[]> {
    if (!agentId) {
      return this.prisma.command.findMany({
        where: keysetWhere(cursor, NEWEST_FIRST),
        orderBy: keysetOrderBy(NEWEST_FIRST),
        take,
        include: withExecutionSummaries,
      });
    }
    // One agent's commands come from its executions, in the order of the (agent_id, created_at,
    // command_id) index; the keyset helpers tie-break on `id`, which here is the execution's, so
    // the tie-break on command_id is spelled out.
    const rows = await this.prisma.execution.findMany({
      where: {
        agentId,
        ...(cursor ? { OR: [{ createdAt: { lt: cursor.key } }, { createdAt: cursor.key, commandId: { lt: cursor.id } }] } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { commandId: 'desc' }],
      take,
      select: { commandId: true },
    });
    const ids = rows.map((r) => r.commandId);
    const commands = await this.prisma.command.findMany({ where: { id: { in: ids } }, include: withExecutionSummaries });
    const byId = new Map(commands.map((c) => [c.id, c]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  findExecution(id: string): Promise<ExecutionWithCommand | null> {
    return this.prisma.execution.findUnique({ where: { id }, include: { command: true } });
  }

  /** Counts a dispatch attempt; returns the attempts so far. */
  async recordAttempt(id: string): Promise<number> {
    const e = await this.prisma.execution.update({ where: { id }, data: { attempts: { increment: 1 } }, select: { attempts: true } });
    return e.attempts;
  }

  /**
   * The hub accepted the command. Only a queued execution becomes DISPATCHED:
   * the agent's RUNNING (or even its result) can arrive before this write.
   */
  async markDispatched(id: string, at: Date): Promise<boolean> {
    const moved = await this.prisma.execution.updateMany({
      where: { id, state: { in: ['PENDING', 'QUEUED'] } },
      data: { state: 'DISPATCHED', dispatchedAt: at },
    });
    if (moved.count === 0) await this.prisma.execution.updateMany({ where: { id, dispatchedAt: null }, data: { dispatchedAt: at } });
    return moved.count === 1;
  }

  async markRunning(id: string, at: Date): Promise<boolean> {
    const moved = await this.prisma.execution.updateMany({
      where: { id, state: { in: ['PENDING', 'QUEUED', 'DISPATCHED'] } },
      data: { state: 'RUNNING', startedAt: at },
    });
    return moved.count === 1;
  }

  /** Finishes an unfinished execution; false when it had already finished (the first outcome stands). */
  async finish(id: string, o: ExecutionOutcome): Promise<boolean> {
    const data: Prisma.ExecutionUpdateManyMutationInput = { state: o.state, finishedAt: o.finishedAt };
    if (o.exitCode !== undefined) data.exitCode = o.exitCode;
    if (o.stdout !== undefined) data.stdout = o.stdout;
    if (o.stderr !== undefined) data.stderr = o.stderr;
    if (o.truncated !== undefined) data.truncated = o.truncated;
    if (o.error !== undefined) data.error = o.error;
    const moved = await this.prisma.execution.updateMany({ where: { id, state: { in: [...UNFINISHED_STATES] } }, data });
    return moved.count === 1;
  }
}
