import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectConfig, PeriodicTask } from '@fleetplane/service-kit';
import type { GatewayConfig } from '../config.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { AuditRepository } from './audit.repository.js';
import { AuditSpool } from './audit-spool.js';

/**
 * Writes the spooled audit rows (AuditSpool) to the database: once at start-up
 * (rows an earlier run could not write), then every AUDIT_RETRY_INTERVAL_MS,
 * and a last time at shutdown. A replay that fails leaves the rows on disk for
 * the next one; only the first failure of a streak is logged as a warning.
 */
@Injectable()
export class AuditReplayer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('audit');
  private readonly task: PeriodicTask<void>;
  private failing = false;

  constructor(
    private readonly spool: AuditSpool,
    private readonly repo: AuditRepository,
    private readonly metrics: GatewayMetrics,
    @InjectConfig() private readonly config: Pick<GatewayConfig, 'AUDIT_RETRY_INTERVAL_MS'>,
  ) {
    this.task = new PeriodicTask(() => this.pass(), config.AUDIT_RETRY_INTERVAL_MS);
  }

  onApplicationBootstrap(): void {
    void this.replay();
    this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
    await this.replay();
  }

  /** One pass over the spool; a pass still running is joined rather than doubled. */
  replay(): Promise<void> {
    return this.task.runNow();
  }

  private async pass(): Promise<void> {
    try {
      const { written, unreadable } = await this.spool.drain((rows) => this.repo.insertMany(rows));
      if (unreadable > 0) {
        this.metrics.auditRowLost(unreadable);
        this.log.error(`${unreadable} spooled audit lines were unreadable (cut short by a crash) and are lost`);
      }
      if (written > 0) {
        this.metrics.auditReplayed(written, this.spool.pendingRows);
        this.log.log(`${written} spooled audit rows written`);
      }
      if (this.failing) this.log.log('audit spool replay works again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.log.warn(`audit spool replay failed; retrying every ${this.config.AUDIT_RETRY_INTERVAL_MS} ms: ${(err as Error).message}`);
      this.failing = true;
    }
  }
}
