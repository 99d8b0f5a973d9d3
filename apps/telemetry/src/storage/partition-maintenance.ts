import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Clock, InjectConfig, PeriodicTask } from '@fleetplane/service-kit';
import type { TelemetryConfig } from '../config.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { TelemetryMetrics } from '../metrics/telemetry-metrics.js';
import { historyTables } from './history-tables.js';
import { isExpired, parsePartitionName, wantedPartitions, type PartitionedTable } from './partition-plan.js';

/** One key for every instance: partitions are created and dropped by one at a time. */
const LOCK_KEY = 7_000_001;

/**
 * Keeps each history table's partitions in step with the clock: the ones the next days need
 * exist before a sample arrives for them, and the ones past retention are dropped whole (no
 * row-by-row delete, no vacuum debt). Runs at start-up — before the consumer takes samples —
 * and then on an interval; several instances serialise on a transaction-scoped advisory lock.
 */
@Injectable()
export class PartitionMaintenance implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(PartitionMaintenance.name);
  private readonly task: PeriodicTask<void>;
  private readonly tables: PartitionedTable[];

  constructor(
    private readonly db: PrismaClient,
    private readonly clock: Clock,
    private readonly metrics: TelemetryMetrics,
    @InjectConfig() config: TelemetryConfig,
  ) {
    this.tables = Object.values(historyTables(config));
    this.task = new PeriodicTask(() => this.runLogged(), config.PARTITION_MAINTENANCE_INTERVAL_MS);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Not logged-and-swallowed: a service that cannot create today's partition must not start.
    await this.run();
    this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  private async runLogged(): Promise<void> {
    try {
      await this.run();
    } catch (err) {
      // The next run tries again; partitions exist AHEAD_MS ahead, so a missed run costs nothing.
      this.log.warn(`partition maintenance failed: ${(err as Error).message}`);
    }
  }

  /** Creates missing partitions and drops expired ones; returns what it changed. */
  async run(): Promise<{ created: string[]; dropped: string[] }> {
    const now = this.clock.nowMs();
    const created: string[] = [];
    const dropped: string[] = [];
    await this.db.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
        for (const t of this.tables) {
          const rows = await tx.$queryRawUnsafe<{ name: string }[]>(
            `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1`,
            t.table,
          );
          const existing = new Set(rows.map((r) => r.name));
          for (const p of wantedPartitions(t, now)) {
            if (existing.has(p.name) || isExpired(t, p, now)) continue;
            await tx.$executeRawUnsafe(
              `CREATE TABLE IF NOT EXISTS "${p.name}" PARTITION OF "${t.table}" FOR VALUES FROM ('${p.from.toISOString()}') TO ('${p.to.toISOString()}')`,
            );
            created.push(p.name);
          }
          for (const name of existing) {
            const p = parsePartitionName(t, name);
            if (!p || !isExpired(t, p, now)) continue;
            await tx.$executeRawUnsafe(`DROP TABLE IF EXISTS "${name}"`);
            dropped.push(name);
          }
        }
        // The first run creates some fifty partitions with their indexes: more than Prisma's 5 s default.
      },
      { maxWait: 10_000, timeout: 60_000 },
    );
    this.metrics.partitionsChanged(created.length, dropped.length);
    if (created.length || dropped.length) this.log.log(`partitions created: ${created.join(', ') || '-'}; dropped: ${dropped.join(', ') || '-'}`);
    return { created, dropped };
  }
}
