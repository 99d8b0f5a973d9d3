import { Inject, Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { ExecutionState } from '../generated/prisma/enums.js';
import type { Execution } from '../generated/prisma/client.js';

export interface CommandCounts {
  byState: Partial<Record<ExecutionState, number>>;
  exitCodes: Array<{ exitCode: number; count: number }>;
  firstErrors: Array<{ executionId: string; agentId: string; state: ExecutionState; error: string }>;
  nonResponders: string[];
  nonRespondersTotal: number;
  /** The latest dispatch, start or finish of any execution (the command's last change). */
  lastChange: Date | null;
}

export interface ExecutionFilter {
  state?: ExecutionState;
  exitCode?: number;
}

const FIRST_ERRORS = 10;
/** Characters of inline output a listing shows per stream. */
const PREVIEW_CHARS = 1024;
const NON_RESPONDERS = 100;
/** Executions that never reached their agent: waiting while it is offline, or expired so. */
const NOT_RESPONDED = Prisma.sql`(state = 'EXPIRED' OR (state = 'QUEUED' AND reason = 'agent offline'))`;

/**
 * Read-side queries over a command's executions, aggregated in PostgreSQL
 * (GROUP BY on the (command_id, state) index), never by loading every row: a
 * command may have 100,000 executions.
 */
@Injectable()
export class ExecutionQueries {
  constructor(@Inject(PrismaClient) private readonly prisma: PrismaClient) {}

  /**
   * The summary in one round trip: five index-backed subqueries in one statement (before, five
   * statements in parallel took five pool connections per read, which starved the pool under load).
   */
  async counts(commandId: string): Promise<CommandCounts> {
    const id = Prisma.sql`${commandId}::uuid`;
    const [row] = await this.prisma.$queryRaw<
      Array<{
        states: Array<{ state: ExecutionState; n: number }> | null;
        codes: CommandCounts['exitCodes'] | null;
        errors: CommandCounts['firstErrors'] | null;
        waiting: Array<{ agentId: string; total: number }> | null;
        last: string | null;
      }>
    >`
      SELECT
        (SELECT json_agg(s) FROM (SELECT state, count(*)::int AS n FROM executions WHERE command_id = ${id} GROUP BY state) s) AS states,
        (SELECT json_agg(c) FROM (SELECT exit_code AS "exitCode", count(*)::int AS count FROM executions
          WHERE command_id = ${id} AND exit_code IS NOT NULL GROUP BY exit_code ORDER BY exit_code) c) AS codes,
        (SELECT json_agg(e) FROM (SELECT id AS "executionId", agent_id AS "agentId", state, error FROM executions
          WHERE command_id = ${id} AND state IN ('FAILED', 'TIMED_OUT', 'EXPIRED')
          ORDER BY finished_at, agent_id LIMIT ${FIRST_ERRORS}) e) AS errors,
        (SELECT json_agg(w) FROM (SELECT agent_id AS "agentId", count(*) OVER ()::int AS total FROM executions
          WHERE command_id = ${id} AND ${NOT_RESPONDED} ORDER BY agent_id LIMIT ${NON_RESPONDERS}) w) AS waiting,
        (SELECT greatest(max(dispatched_at), max(started_at), max(finished_at)) FROM executions WHERE command_id = ${id}) AS last`;
    const waiting = row?.waiting ?? [];
    return {
      byState: Object.fromEntries((row?.states ?? []).map((s) => [s.state, s.n])),
      exitCodes: row?.codes ?? [],
      firstErrors: row?.errors ?? [],
      nonResponders: waiting.map((w) => w.agentId),
      nonRespondersTotal: waiting[0]?.total ?? 0,
      lastChange: row?.last ? new Date(row.last) : null,
    };
  }

  /** Executions per state of each of a page of commands: one GROUP BY for the page. */
  async stateCounts(commandIds: string[]): Promise<Map<string, Partial<Record<ExecutionState, number>>>> {
    const rows =
      commandIds.length === 0
        ? []
        : await this.prisma.$queryRaw<Array<{ commandId: string; state: ExecutionState; n: number }>>`
            SELECT command_id AS "commandId", state, count(*)::int AS n FROM executions
            WHERE command_id = ANY(${commandIds}::uuid[]) GROUP BY command_id, state`;
    const out = new Map<string, Partial<Record<ExecutionState, number>>>();
    for (const r of rows) out.set(r.commandId, { ...out.get(r.commandId), [r.state]: r.n });
    return out;
  }

  /**
   * One command's executions by agent id, with the first KiB of their inline
   * output (the full output is read with GetExecutionOutput); keyset on
   * agent_id, unique within a command.
   */
  list(commandId: string, filter: ExecutionFilter, afterAgentId: string | undefined, take: number): Promise<Execution[]> {
    return this.prisma.$queryRaw<Execution[]>`
      SELECT id, command_id AS "commandId", agent_id AS "agentId", state, exit_code AS "exitCode",
             left(stdout, ${PREVIEW_CHARS}) AS stdout, left(stderr, ${PREVIEW_CHARS}) AS stderr, truncated, error, attempts,
             dispatched_at AS "dispatchedAt", started_at AS "startedAt", finished_at AS "finishedAt", deadline_at AS "deadlineAt",
             expires_at AS "expiresAt", reason, stdout_bytes AS "stdoutBytes", stderr_bytes AS "stderrBytes",
             cancel_requested_at AS "cancelRequestedAt", created_at AS "createdAt"
        FROM executions
       WHERE command_id = ${commandId}::uuid
         AND (${filter.state ?? null}::text IS NULL OR state::text = ${filter.state ?? null})
         AND (${filter.exitCode ?? null}::int IS NULL OR exit_code = ${filter.exitCode ?? null})
         AND (${afterAgentId ?? null}::text IS NULL OR agent_id > ${afterAgentId ?? null})
       ORDER BY agent_id
       LIMIT ${take}`;
  }
}
