import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Coalescer, keysetOrderBy, keysetWhere, type KeysetCursor } from '@fleetplane/service-kit';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { Command, Execution } from '../generated/prisma/client.js';
import type { ExecutionState, Priority } from '../generated/prisma/enums.js';
import { UNFINISHED_STATES } from './command-state.js';

export type ExecutionWithCommand = Execution & { command: Command };

/** One target as submit decided it: released now (QUEUED), held back by max concurrency (PENDING), or SKIPPED. */
export interface NewTarget {
  agentId: string;
  state: Extract<ExecutionState, 'QUEUED' | 'PENDING' | 'SKIPPED'>;
  reason: string;
}

export interface NewCommand {
  verb: string;
  params: Record<string, unknown>;
  priority: Priority;
  requestedBy: string;
  timeoutSeconds: number;
  ttlSeconds: number;
  idempotencyKey: string | null;
  requestHash: string;
  selector: Record<string, unknown> | null;
  maxConcurrency: number | null;
  maxErrors: number | null;
  retryOf: string | null;
  targets: NewTarget[];
  createdAt: Date;
}

/** An execution on its way to the dispatch queue. */
export interface ReleasedExecution {
  id: string;
  agentId: string;
  expiresAt: Date;
}

export interface ExecutionOutcome {
  state: Extract<ExecutionState, 'COMPLETED' | 'FAILED' | 'TIMED_OUT' | 'CANCELLED' | 'EXPIRED' | 'SKIPPED'>;
  finishedAt: Date;
  exitCode?: number | null;
  stdout?: string;
  stderr?: string;
  truncated?: boolean;
  error?: string;
}

/** A row a bulk move changed, for its execution.updated event. */
export interface MovedExecution {
  id: string;
  commandId: string;
  agentId: string;
}

/** A QUEUED execution taken for a dispatch attempt, with the parts of its command the COMMAND frame carries. */
export interface DispatchClaim {
  id: string;
  commandId: string;
  agentId: string;
  expiresAt: Date | null;
  deadlineAt: Date;
  attempts: number;
  command: Pick<Command, 'verb' | 'params' | 'timeoutSeconds' | 'priority' | 'createdAt'>;
}

/** Thrown when another submit with the same idempotency key won the race. */
export class DuplicateIdempotencyKeyError extends Error {}

/** A unique constraint refused the row: P2002 from a model query, SQLSTATE 23505 from a raw one. */
function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (err.code === 'P2002') return true;
  const meta = err.meta as { code?: string; driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } } | undefined;
  return (
    meta?.code === '23505' || meta?.driverAdapterError?.cause?.originalCode === '23505' || meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation'
  );
}

/** Where a listing continues: the last command's creation time and id. */
export type ListCursor = KeysetCursor<Date>;
const NEWEST_FIRST = { field: 'createdAt', direction: 'desc' } as const;

/** Most dispatch claims or DISPATCHED marks written in one statement. */
const DISPATCH_BATCH = 500;

/** Rows per INSERT when storing a command's executions (a 100,000-agent command is 20 statements in one transaction). */
const INSERT_BATCH = 5_000;

/**
 * Commands and executions in PostgreSQL. Every state change is conditional,
 * so a finished execution never moves back; moves of many rows are one
 * statement each (UPDATE … RETURNING), never one per row.
 */
@Injectable()
export class CommandRepository {
  private readonly claims = new Coalescer<string, DispatchClaim | null>((ids) => this.claimAll(ids), { maxSize: DISPATCH_BATCH });
  private readonly dispatchedMarks = new Coalescer<{ id: string; at: Date; deadlineAt: Date }, boolean>((m) => this.markAllDispatched(m), {
    maxSize: DISPATCH_BATCH,
  });

  constructor(@Inject(PrismaClient) private readonly prisma: PrismaClient) {}

  findById(id: string): Promise<Command | null> {
    return this.prisma.command.findUnique({ where: { id } });
  }

  findByIdempotencyKey(requestedBy: string, key: string): Promise<Command | null> {
    return this.prisma.command.findUnique({ where: { requestedBy_idempotencyKey: { requestedBy, idempotencyKey: key } } });
  }

  /**
   * Stores the command and one execution per target atomically; the released ones (QUEUED) get
   * their expiry now, are marked as not yet in the queue (`QueueHandoff`), and are returned for
   * it. Up to INSERT_BATCH targets that is one statement (the command's INSERT and the
   * executions' INSERT … SELECT FROM unnest as CTEs: one round trip, and no interactive
   * transaction waiting for a pooled connection under load); bigger commands insert their
   * executions in batches inside a transaction.
   */
  async create(c: NewCommand): Promise<{ command: Command; released: ReleasedExecution[] }> {
    const expiresAt = new Date(c.createdAt.getTime() + c.ttlSeconds * 1000);
    // The outer bound until dispatch sets the real one: waiting, then running.
    const deadlineAt = new Date(expiresAt.getTime() + c.timeoutSeconds * 1000);
    const command: Command = {
      id: randomUUID(),
      verb: c.verb,
      params: c.params as Prisma.JsonObject,
      priority: c.priority,
      requestedBy: c.requestedBy,
      timeoutSeconds: c.timeoutSeconds,
      idempotencyKey: c.idempotencyKey,
      requestHash: c.requestHash,
      selector: c.selector as Prisma.JsonObject | null,
      targetCount: c.targets.length,
      maxConcurrency: c.maxConcurrency,
      maxErrors: c.maxErrors,
      ttlSeconds: c.ttlSeconds,
      retryOf: c.retryOf,
      endReason: '',
      cancelledAt: null,
      createdAt: c.createdAt,
      updatedAt: c.createdAt,
    };
    const rows = c.targets.map((t) => ({ ...t, id: randomUUID() }));
    const insertCommand = Prisma.sql`
      INSERT INTO commands (id, verb, params, priority, requested_by, timeout_seconds, idempotency_key, request_hash, selector,
                            target_count, max_concurrency, max_errors, ttl_seconds, retry_of, created_at, updated_at)
      VALUES (${command.id}::uuid, ${c.verb}, ${JSON.stringify(c.params)}::jsonb, ${c.priority}::"Priority", ${c.requestedBy}, ${c.timeoutSeconds},
              ${c.idempotencyKey}, ${c.requestHash}, ${c.selector === null ? null : JSON.stringify(c.selector)}::jsonb, ${rows.length},
              ${c.maxConcurrency}::int, ${c.maxErrors}::int, ${c.ttlSeconds}, ${c.retryOf}::uuid, ${c.createdAt}, ${c.createdAt})
      RETURNING id`;
    const insertExecutions = (batch: typeof rows, from: Prisma.Sql) => Prisma.sql`
      INSERT INTO executions (id, command_id, agent_id, state, reason, deadline_at, expires_at, queue_pending_since, finished_at, created_at)
      SELECT e.id, ${command.id}::uuid, e.agent_id, e.state::"ExecutionState", e.reason, ${deadlineAt},
             CASE WHEN e.state = 'QUEUED' THEN ${expiresAt}::timestamptz END,
             CASE WHEN e.state = 'QUEUED' THEN ${c.createdAt}::timestamptz END,
             CASE WHEN e.state = 'SKIPPED' THEN ${c.createdAt}::timestamptz END,
             ${c.createdAt}
      FROM unnest(${batch.map((r) => r.id)}::uuid[], ${batch.map((r) => r.agentId)}::text[],
                  ${batch.map((r) => r.state)}::text[], ${batch.map((r) => r.reason)}::text[]) AS e(id, agent_id, state, reason)
      ${from}`;
    try {
      if (rows.length <= INSERT_BATCH) {
        // The executions' SELECT reads the command's RETURNING, so they follow it within the statement.
        await this.prisma.$executeRaw`WITH c AS (${insertCommand}) ${insertExecutions(rows, Prisma.sql`CROSS JOIN c`)}`;
      } else {
        await this.prisma.$transaction(
          async (tx) => {
            await tx.$executeRaw`${insertCommand}`;
            for (let i = 0; i < rows.length; i += INSERT_BATCH) await tx.$executeRaw`${insertExecutions(rows.slice(i, i + INSERT_BATCH), Prisma.empty)}`;
          },
          // A 100,000-agent command is 20 statements; under load the pool may make it wait.
          { maxWait: 10_000, timeout: 60_000 },
        );
      }
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateIdempotencyKeyError();
      throw err;
    }
    const released = rows.filter((r) => r.state === 'QUEUED').map((r) => ({ id: r.id, agentId: r.agentId, expiresAt }));
    return { command, released };
  }

  /** Compensation when the jobs could not be queued: the submit fails as a whole. */
  async delete(id: string): Promise<void> {
    await this.prisma.command.deleteMany({ where: { id } });
  }

  /** Newest first; keyset pagination on (createdAt, id). */
  async list(agentId: string, cursor: ListCursor | undefined, take: number): Promise<Command[]> {
    if (!agentId) return this.prisma.command.findMany({ where: keysetWhere(cursor, NEWEST_FIRST), orderBy: keysetOrderBy(NEWEST_FIRST), take });
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
    const commands = await this.prisma.command.findMany({ where: { id: { in: ids } } });
    const byId = new Map(commands.map((c) => [c.id, c]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  findExecution(id: string): Promise<ExecutionWithCommand | null> {
    return this.prisma.execution.findUnique({ where: { id }, include: { command: true } });
  }

  /** The executions among `ids` that have not finished, with their commands (a deadline job's batch). */
  findUnfinishedExecutions(ids: string[]): Promise<ExecutionWithCommand[]> {
    return this.prisma.execution.findMany({ where: { id: { in: ids }, state: { in: [...UNFINISHED_STATES] } }, include: { command: true } });
  }

  /**
   * Counts a dispatch attempt of a QUEUED execution and returns what its dispatch needs; null
   * when the execution is not QUEUED, or gone. Concurrent dispatches share one statement
   * (UPDATE … FROM … RETURNING over all their ids): a busy dispatcher makes one round trip
   * per batch, not two per execution (a read with a join and an update, before).
   */
  claimForDispatch(id: string): Promise<DispatchClaim | null> {
    return this.claims.run(id);
  }

  /**
   * The hub accepted the command: the run deadline starts now. Only a queued
   * execution becomes DISPATCHED: the agent's RUNNING (or even its result)
   * can arrive before this write, and then only dispatchedAt and the run
   * deadline are recorded. Concurrent marks share one statement.
   */
  markDispatched(id: string, at: Date, deadlineAt: Date): Promise<boolean> {
    return this.dispatchedMarks.run({ id, at, deadlineAt });
  }

  private async claimAll(ids: string[]): Promise<Array<DispatchClaim | null>> {
    const rows = await this.prisma.$queryRaw<DispatchClaim[]>`
      UPDATE executions e SET attempts = e.attempts + 1
      FROM commands c
      WHERE e.id = ANY(${[...new Set(ids)]}::uuid[]) AND e.state = 'QUEUED' AND c.id = e.command_id
      RETURNING e.id, e.command_id AS "commandId", e.agent_id AS "agentId", e.expires_at AS "expiresAt", e.deadline_at AS "deadlineAt", e.attempts,
        json_build_object('verb', c.verb, 'params', c.params, 'timeoutSeconds', c.timeout_seconds, 'priority', c.priority, 'createdAt', c.created_at) AS command`;
    const byId = new Map(rows.map((r) => [r.id, { ...r, command: { ...r.command, createdAt: new Date(r.command.createdAt) } }]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  private async markAllDispatched(marks: Array<{ id: string; at: Date; deadlineAt: Date }>): Promise<boolean[]> {
    const moved = await this.prisma.$queryRaw<Array<{ id: string }>>`
      WITH m AS (
        SELECT * FROM unnest(${marks.map((m) => m.id)}::uuid[], ${marks.map((m) => m.at)}::timestamptz[], ${marks.map((m) => m.deadlineAt)}::timestamptz[])
          AS m(id, at, deadline_at)
      ), moved AS (
        UPDATE executions e SET state = 'DISPATCHED', dispatched_at = m.at, deadline_at = m.deadline_at, reason = ''
        FROM m WHERE e.id = m.id AND e.state IN ('PENDING', 'QUEUED')
        RETURNING e.id
      ), overtaken AS (
        -- Already RUNNING (or finished) by the time the hub's answer came: keep the times only.
        UPDATE executions e SET dispatched_at = m.at, deadline_at = m.deadline_at
        FROM m WHERE e.id = m.id AND e.dispatched_at IS NULL AND e.state NOT IN ('PENDING', 'QUEUED')
        RETURNING e.id
      )
      SELECT id FROM moved`;
    const ids = new Set(moved.map((r) => r.id));
    return marks.map((m) => ids.has(m.id));
  }

  /** No hub holds the agent: the execution waits (QUEUED) until the agent connects or it expires. */
  async markWaitingForAgent(id: string): Promise<void> {
    await this.prisma.execution.updateMany({ where: { id, state: 'QUEUED' }, data: { reason: 'agent offline' } });
  }

  /**
   * The executions released for an agent that are not yet on their way (what its connection
   * should wake), by their command's priority, in one query.
   */
  async waitingFor(agentId: string): Promise<Map<Priority, string[]>> {
    const rows = await this.prisma.execution.findMany({
      where: { agentId, state: 'QUEUED' },
      select: { id: true, command: { select: { priority: true } } },
      take: 1_000,
    });
    const out = new Map<Priority, string[]>();
    for (const r of rows) out.set(r.command.priority, [...(out.get(r.command.priority) ?? []), r.id]);
    return out;
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

  /**
   * Releases held-back executions of a command (PENDING → QUEUED, their
   * expiry starting now), in agent order, until `maxInFlight` are released
   * and unfinished. Under a per-command advisory lock, so two results
   * finishing at once (on any instance) never release more than the limit.
   */
  releasePending(commandId: string, maxInFlight: number, now: Date, ttlSeconds: number, timeoutSeconds: number): Promise<ReleasedExecution[]> {
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
    const deadlineAt = new Date(expiresAt.getTime() + timeoutSeconds * 1000);
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${commandId}))`;
      const [row] = await tx.$queryRaw<Array<{ n: number }>>`
        SELECT count(*)::int AS n FROM executions WHERE command_id = ${commandId}::uuid AND state IN ('QUEUED', 'DISPATCHED', 'RUNNING')`;
      const room = maxInFlight - (row?.n ?? 0);
      if (room <= 0) return [];
      return tx.$queryRaw<ReleasedExecution[]>`
        UPDATE executions SET state = 'QUEUED', expires_at = ${expiresAt}, deadline_at = ${deadlineAt}, queue_pending_since = ${now}
        WHERE id IN (SELECT id FROM executions WHERE command_id = ${commandId}::uuid AND state = 'PENDING'
                     ORDER BY agent_id LIMIT ${room} FOR UPDATE SKIP LOCKED)
        RETURNING id, agent_id AS "agentId", expires_at AS "expiresAt"`;
    });
  }

  /** Undoes a release whose jobs could not be queued. */
  async unrelease(ids: string[]): Promise<void> {
    await this.prisma.execution.updateMany({
      where: { id: { in: ids }, state: 'QUEUED' },
      data: { state: 'PENDING', expiresAt: null, queuePendingSince: null },
    });
  }

  /** Executions of a command in the given states (the in-flight count for max concurrency, errors for max errors). */
  async countInStates(commandId: string, states: readonly ExecutionState[]): Promise<number> {
    return this.prisma.execution.count({ where: { commandId, state: { in: [...states] } } });
  }

  /** Ends every execution of a command still in `from` with one outcome; returns the moved rows. */
  finishAllIn(commandId: string, from: readonly ExecutionState[], state: ExecutionOutcome['state'], error: string, at: Date): Promise<MovedExecution[]> {
    return this.prisma.$queryRaw<MovedExecution[]>`
      UPDATE executions SET state = ${state}::"ExecutionState", error = ${error}, finished_at = ${at}
      WHERE command_id = ${commandId}::uuid AND state::text = ANY(${[...from]}::text[])
      RETURNING id, command_id AS "commandId", agent_id AS "agentId"`;
  }

  /** Marks the running executions of a command (or one) as told to stop; returns them, for the CANCEL requests. */
  requestCancel(commandId: string, executionId: string | null, at: Date): Promise<MovedExecution[]> {
    return this.prisma.$queryRaw<MovedExecution[]>`
      UPDATE executions SET cancel_requested_at = COALESCE(cancel_requested_at, ${at})
      WHERE command_id = ${commandId}::uuid AND state IN ('DISPATCHED', 'RUNNING')
        AND (${executionId}::uuid IS NULL OR id = ${executionId}::uuid)
      RETURNING id, command_id AS "commandId", agent_id AS "agentId"`;
  }

  /** Ends one execution if it has not been sent (PENDING, QUEUED). */
  async cancelUnsent(executionId: string, error: string, at: Date): Promise<boolean> {
    const moved = await this.prisma.execution.updateMany({
      where: { id: executionId, state: { in: ['PENDING', 'QUEUED'] } },
      data: { state: 'CANCELLED', error, finishedAt: at },
    });
    return moved.count === 1;
  }

  /** Records why a command ended early, once (the first reason stands). */
  async endCommand(commandId: string, reason: string, cancelledAt: Date | null): Promise<void> {
    await this.prisma.command.updateMany({
      where: { id: commandId, endReason: '' },
      data: { endReason: reason, ...(cancelledAt ? { cancelledAt } : {}) },
    });
  }

  /** The targets a retry runs on: those that failed, timed out or expired. */
  async retryTargets(commandId: string): Promise<string[]> {
    const rows = await this.prisma.execution.findMany({
      where: { commandId, state: { in: ['FAILED', 'TIMED_OUT', 'EXPIRED'] } },
      select: { agentId: true },
      orderBy: { agentId: 'asc' },
    });
    return rows.map((r) => r.agentId);
  }
}
