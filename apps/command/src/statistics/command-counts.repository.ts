import { Inject, Injectable } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client.js';
import type { ExecutionState } from '../generated/prisma/enums.js';
import type { StatisticsWindows } from './statistics-windows.js';

export interface StateCounts {
  state: ExecutionState;
  lastHour: number;
  lastDay: number;
}

/** Counts straight from PostgreSQL: aggregated there, no command or execution rows loaded. */
@Injectable()
export class CommandCountsRepository {
  constructor(@Inject(PrismaClient) private readonly prisma: PrismaClient) {}

  /**
   * Commands created in the last day (and the last hour), by state. A command
   * has no state column: it is derived from its executions by the rule of
   * executions/command-state.ts deriveCommandState, spelled here in SQL (the
   * integration test holds the two together). Cost follows the day's commands,
   * not the table: a range on commands(created_at) and executions(command_id).
   */
  async commandsByState(w: StatisticsWindows): Promise<StateCounts[]> {
    return this.prisma.$queryRaw<StateCounts[]>`
      WITH command_states AS (
        SELECT c.created_at,
               CASE
                 WHEN count(e.id) = 0 OR bool_or(e.state = 'PENDING') THEN 'PENDING'
                 WHEN bool_or(e.state = 'QUEUED') THEN 'QUEUED'
                 WHEN bool_or(e.state = 'DISPATCHED') THEN 'DISPATCHED'
                 WHEN bool_or(e.state = 'RUNNING') THEN 'RUNNING'
                 WHEN c.end_reason LIKE 'max errors%' THEN 'FAILED'
                 WHEN bool_or(e.state = 'FAILED') THEN 'FAILED'
                 WHEN bool_or(e.state = 'TIMED_OUT') THEN 'TIMED_OUT'
                 WHEN bool_or(e.state = 'EXPIRED') THEN 'EXPIRED'
                 WHEN bool_or(e.state = 'CANCELLED') THEN 'CANCELLED'
                 WHEN bool_and(e.state = 'SKIPPED') THEN 'SKIPPED'
                 ELSE 'COMPLETED'
               END AS state
          FROM commands c
          LEFT JOIN executions e ON e.command_id = c.id
         WHERE c.created_at >= ${w.dayFrom}
         GROUP BY c.id
      )
      SELECT state,
             (count(*) FILTER (WHERE created_at >= ${w.hourFrom}))::int AS "lastHour",
             count(*)::int AS "lastDay"
        FROM command_states
       GROUP BY state`;
  }

  /**
   * Executions that reached a final state (finished_at is set exactly then),
   * per minute since `firstMinute`; minutes without any are absent. Served by
   * the executions(finished_at) index.
   */
  async finishedPerMinute(w: StatisticsWindows): Promise<Array<{ minute: Date; count: number }>> {
    return this.prisma.$queryRaw<Array<{ minute: Date; count: number }>>`
      SELECT date_trunc('minute', finished_at) AS minute, count(*)::int AS count
        FROM executions
       WHERE finished_at >= ${w.firstMinute}
       GROUP BY 1`;
  }
}
