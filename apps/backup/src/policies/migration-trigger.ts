import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { eventSchemas, subjects, type EventPayload, type MigrationStartingReply } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { PolicyFirer } from './policy-firer.js';
import { PolicyStore } from './policy-store.js';

/** The events a policy's `trigger` may name. */
export const POLICY_TRIGGERS = ['migration.starting'] as const;

/**
 * Event triggers: when `migration.starting` arrives, every enabled policy with that trigger takes
 * its backup (queued like any job, so it runs after the one in progress). In a queue group: with
 * several backup instances, one of them enqueues it.
 */
@Injectable()
export class MigrationTrigger implements OnApplicationBootstrap {
  private readonly log = new Logger('MigrationTrigger');

  constructor(
    @Inject(NatsClient) private readonly nats: Pick<NatsClient, 'subscribe'>,
    @Inject(PolicyStore) private readonly store: PolicyStore,
    @Inject(PolicyFirer) private readonly firer: PolicyFirer,
  ) {}

  onApplicationBootstrap(): void {
    this.nats.subscribe(subjects.event('migration.starting'), eventSchemas['migration.starting'], (e) => this.received(e), { queue: 'backup' });
  }

  /** Returned as the reply when the event came as a request (the migrator waits for these jobs). */
  async received(event: EventPayload<'migration.starting'>): Promise<MigrationStartingReply> {
    const jobIds: string[] = [];
    for (const policy of await this.store.triggeredBy('migration.starting')) {
      const job = await this.firer.fire(policy.id, `migration of ${event.service}`).catch((err: Error) => {
        this.log.error(`policy ${policy.name}: ${err.message}`);
        return undefined;
      });
      if (job) jobIds.push(job.id);
    }
    return { jobIds };
  }
}
