import { Inject, Injectable } from '@nestjs/common';
import type { Priority } from '../generated/prisma/enums.js';
import { PrismaClient } from '../generated/prisma/client.js';

/** A released execution whose jobs were never confirmed in the queue, with what queueing it needs. */
export interface UnconfirmedExecution {
  id: string;
  commandId: string;
  finished: boolean;
  expiresAt: Date | null;
  priority: Priority;
  timeoutSeconds: number;
}

/**
 * `executions.queue_pending_since`: set in the statement that releases an execution (submit, or
 * a max-concurrency release), cleared once its dispatch and deadline jobs are in BullMQ. Two
 * stores cannot share a transaction, so this mark is what survives a crash between them.
 */
@Injectable()
export class QueueHandoffRepository {
  constructor(@Inject(PrismaClient) private readonly prisma: PrismaClient) {}

  /** Their jobs are in the queue. */
  async confirm(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE executions SET queue_pending_since = NULL WHERE id = ANY(${ids}::uuid[]) AND queue_pending_since IS NOT NULL`;
  }

  /**
   * Takes up to `limit` executions unconfirmed since before `olderThan`, oldest first, and moves
   * their mark to `now`: another instance's sweep skips them (SKIP LOCKED, then the new mark),
   * and if this one dies too, they are found again one period later.
   */
  claimUnconfirmed(olderThan: Date, now: Date, limit: number): Promise<UnconfirmedExecution[]> {
    return this.prisma.$queryRaw<UnconfirmedExecution[]>`
      UPDATE executions e SET queue_pending_since = ${now}
      FROM commands c
      WHERE e.id IN (SELECT id FROM executions WHERE queue_pending_since < ${olderThan}
                     ORDER BY queue_pending_since LIMIT ${limit} FOR UPDATE SKIP LOCKED)
        AND c.id = e.command_id
      RETURNING e.id, e.command_id AS "commandId", e.state NOT IN ('PENDING', 'QUEUED', 'DISPATCHED', 'RUNNING') AS finished,
                e.expires_at AS "expiresAt", c.priority, c.timeout_seconds AS "timeoutSeconds"`;
  }
}
