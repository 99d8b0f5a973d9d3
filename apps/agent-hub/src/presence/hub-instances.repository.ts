import { Injectable } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client.js';

/** The hub_instances table: which hub processes are alive, by their last beat. */
@Injectable()
export class HubInstancesRepository {
  constructor(private readonly db: PrismaClient) {}

  /** Registers the instance, or refreshes its beat (also after another instance took it for dead). */
  async beat(id: string, at: Date): Promise<void> {
    await this.db.hubInstance.upsert({ where: { id }, create: { id, startedAt: at, lastBeatAt: at }, update: { lastBeatAt: at } });
  }

  async remove(id: string): Promise<void> {
    await this.db.hubInstance.deleteMany({ where: { id } });
  }

  /**
   * In one statement: forgets the instances whose last beat is before
   * `deadBefore`, and clears every session held by an instance that is not
   * registered alive (those just forgotten, and any whose row is already gone).
   * Returns how many sessions it cleared.
   */
  async clearDead(deadBefore: Date): Promise<number> {
    return this.db.$executeRaw`
      WITH dead AS (DELETE FROM hub_instances WHERE last_beat_at < ${deadBefore.toISOString()}::timestamptz RETURNING id)
      UPDATE agents SET session_id = NULL, connected_at = NULL, hub_instance_id = NULL, protocol_version = NULL
      WHERE hub_instance_id IS NOT NULL
        AND (hub_instance_id IN (SELECT id FROM dead)
             OR NOT EXISTS (SELECT 1 FROM hub_instances h WHERE h.id = agents.hub_instance_id))`;
  }
}
