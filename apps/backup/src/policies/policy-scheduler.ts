import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { InjectQueue } from '@fleetplane/service-kit/queue';
import type { Policy } from '../generated/prisma/client.js';
import { JOBS_QUEUE, POLICY_JOB, schedulerId } from '../jobs/job-queue.js';
import { PolicyStore } from './policy-store.js';

/**
 * Mirrors the policies' cron expressions into BullMQ job schedulers (one per policy, id
 * `policy-<id>`, UTC): at start — adding missing ones, removing those of deleted or disabled
 * policies — and on every change. A scheduler produces a `policy` job on time; its processing
 * enqueues the policy's backup. While no worker runs, a scheduler does not pile up jobs.
 */
@Injectable()
export class PolicyScheduler implements OnApplicationBootstrap {
  private readonly log = new Logger('PolicyScheduler');

  constructor(
    @InjectQueue(JOBS_QUEUE) private readonly queue: Queue,
    @Inject(PolicyStore) private readonly store: PolicyStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const policies = await this.store.list();
    for (const policy of policies) await this.apply(policy);
    const wanted = new Set(policies.filter((p) => p.enabled && p.cron).map((p) => schedulerId(p.id)));
    for (const scheduler of await this.queue.getJobSchedulers(0, -1)) {
      if (scheduler.key.startsWith('policy-') && !wanted.has(scheduler.key)) await this.queue.removeJobScheduler(scheduler.key);
    }
    this.log.log(`${wanted.size} policy schedule(s) applied`);
  }

  /** Creates, updates or removes the policy's scheduler to match it. */
  async apply(policy: Policy): Promise<void> {
    if (!policy.enabled || !policy.cron) {
      await this.remove(policy.id);
      return;
    }
    await this.queue.upsertJobScheduler(
      schedulerId(policy.id),
      { pattern: policy.cron, tz: 'UTC' },
      { name: POLICY_JOB, data: { policyId: policy.id, reason: 'schedule' }, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  }

  async remove(policyId: string): Promise<void> {
    await this.queue.removeJobScheduler(schedulerId(policyId));
  }

  /** The next run of a policy's schedule, for tests and operators. */
  async next(policyId: string): Promise<Date | undefined> {
    const s = await this.queue.getJobScheduler(schedulerId(policyId));
    return s?.next ? new Date(s.next) : undefined;
  }
}
