import { Inject, Injectable } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client.js';
import type { ExecutionSnapshot, PlannedMove } from '../results/update-plan.js';

/**
 * The results consumer's two statements per batch, raw SQL through Prisma's pool: a read of
 * every execution the batch names (with whether its command has rate control), and one
 * UPDATE … FROM unnest for every move, conditional on the state each was read in. Prisma's
 * per-row updateMany would be one round trip per execution, which is what bounded the command
 * path at ~45 commands/s (BENCHMARKS.md, issue #14).
 */
@Injectable()
export class ExecutionBatchRepository {
  constructor(@Inject(PrismaClient) private readonly prisma: PrismaClient) {}

  async snapshot(ids: readonly string[]): Promise<Map<string, ExecutionSnapshot>> {
    if (ids.length === 0) return new Map();
    const rows = await this.prisma.$queryRaw<ExecutionSnapshot[]>`
      SELECT e.id, e.command_id AS "commandId", e.agent_id AS "agentId", e.state::text AS state, e.truncated, e.created_at AS "createdAt",
             (c.max_errors IS NOT NULL OR c.max_concurrency IS NOT NULL) AS "rateControlled"
      FROM executions e JOIN commands c ON c.id = e.command_id
      WHERE e.id = ANY(${[...new Set(ids)]}::uuid[])`;
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * Writes every move whose execution is still in the state it was read in; returns the ids
   * written. A move that lost a race (a cancel, the deadline, the dispatcher's DISPATCHED in
   * between) is not written: the caller applies its updates one by one.
   */
  async applyMoves(moves: readonly PlannedMove[]): Promise<Set<string>> {
    if (moves.length === 0) return new Set();
    const col = <T>(f: (m: PlannedMove) => T) => moves.map(f);
    const rows = await this.prisma.$queryRaw<Array<{ id: string }>>`
      UPDATE executions e SET
        state = m.to_state::"ExecutionState",
        started_at = COALESCE(m.running_at, e.started_at),
        finished_at = COALESCE(m.finished_at, e.finished_at),
        exit_code = CASE WHEN m.finished THEN m.exit_code ELSE e.exit_code END,
        stdout = CASE WHEN m.finished THEN m.stdout ELSE e.stdout END,
        stderr = CASE WHEN m.finished THEN m.stderr ELSE e.stderr END,
        truncated = CASE WHEN m.finished THEN m.truncated ELSE e.truncated END,
        error = CASE WHEN m.finished THEN m.error ELSE e.error END
      FROM unnest(
        ${col((m) => m.snapshot.id)}::uuid[],
        ${col((m) => m.snapshot.state)}::text[],
        ${col((m) => m.to)}::text[],
        ${col((m) => m.runningAt ?? null)}::timestamptz[],
        ${col((m) => m.outcome !== undefined)}::boolean[],
        ${col((m) => m.outcome?.finishedAt ?? null)}::timestamptz[],
        ${col((m) => m.outcome?.exitCode ?? null)}::int[],
        ${col((m) => m.outcome?.stdout ?? '')}::text[],
        ${col((m) => m.outcome?.stderr ?? '')}::text[],
        ${col((m) => m.outcome?.truncated ?? false)}::boolean[],
        ${col((m) => m.outcome?.error ?? '')}::text[]
      ) AS m(id, from_state, to_state, running_at, finished, finished_at, exit_code, stdout, stderr, truncated, error)
      WHERE e.id = m.id AND e.state::text = m.from_state
      RETURNING e.id`;
    return new Set(rows.map((r) => r.id));
  }
}
