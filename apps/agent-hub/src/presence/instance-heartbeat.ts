import { Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Clock, InjectConfig, PeriodicTask } from '@fleetplane/service-kit';
import { PresenceWindow } from '../agents/presence-window.js';
import type { HubConfig } from '../config.js';
import { HubMetrics } from '../metrics/hub-metrics.js';
import { HubInstanceId } from './hub-instance-id.js';
import { HubInstancesRepository } from './hub-instances.repository.js';

/**
 * Proves this instance alive every PRESENCE_FLUSH_MS, and clears the sessions
 * of instances that stopped (kill -9, a lost host): an instance is dead once
 * its beat is older than the presence window, the same window after which its
 * agents' last-seen no longer counts as connected, so the two agree. Every
 * instance runs the cleanup; it is one idempotent statement.
 */
@Injectable()
export class InstanceHeartbeat implements OnModuleInit, BeforeApplicationShutdown {
  private readonly log = new Logger('InstanceHeartbeat');
  private readonly task: PeriodicTask<void>;

  constructor(
    @InjectConfig() config: Pick<HubConfig, 'PRESENCE_FLUSH_MS'>,
    private readonly instance: HubInstanceId,
    private readonly instances: HubInstancesRepository,
    private readonly window: PresenceWindow,
    private readonly metrics: HubMetrics,
    private readonly clock: Clock,
  ) {
    this.task = new PeriodicTask(() => this.beatAndClean(), config.PRESENCE_FLUSH_MS);
  }

  /**
   * Registered before the endpoint takes sockets, so no session names an instance
   * that is not in the table. A database that is down at start-up does not stop
   * the hub (it reports not ready instead); the next beat registers it.
   */
  async onModuleInit(): Promise<void> {
    await this.instances
      .beat(this.instance.id, this.clock.now())
      .catch((err: Error) => this.log.warn(`could not register hub instance ${this.instance.id} yet: ${err.message}`));
    this.log.log(`hub instance ${this.instance.id}`);
    this.task.start();
  }

  /** One beat and one cleanup; a beat still running (slow database) is not doubled. */
  tick(): Promise<void> {
    return this.task.runNow();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
    await this.instances.remove(this.instance.id).catch((err: Error) => this.log.warn(`could not deregister: ${err.message}`));
  }

  private async beatAndClean(): Promise<void> {
    try {
      await this.instances.beat(this.instance.id, this.clock.now());
      const cleared = await this.instances.clearDead(this.window.connectedSince());
      if (cleared > 0) {
        this.metrics.deadInstanceSessionsCleared(cleared);
        this.log.warn(`cleared ${cleared} sessions held by hub instances that stopped beating`);
      }
    } catch (err) {
      this.log.warn(`instance beat failed: ${(err as Error).message}`);
    }
  }
}
