import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectConfig } from '@fleetplane/service-kit';
import type { BackupConfig } from '../config.js';
import type { Job, Policy } from '../generated/prisma/client.js';
import { JobsService } from '../jobs/jobs.service.js';
import { PolicyStore } from './policy-store.js';

/** The keep-* rules of a policy that are set (0 means unset), or undefined when none is. */
export function retentionOf(p: Policy) {
  const rules = {
    keepLast: p.keepLast,
    keepHourly: p.keepHourly,
    keepDaily: p.keepDaily,
    keepWeekly: p.keepWeekly,
    keepMonthly: p.keepMonthly,
    keepYearly: p.keepYearly,
  };
  const set = Object.fromEntries(Object.entries(rules).filter(([, n]) => n > 0));
  return Object.keys(set).length > 0 ? set : undefined;
}

/** Starts a policy's backup (its schedule fired, or an event it names arrived): one BACKUP job, its retention as a PRUNE after. */
@Injectable()
export class PolicyFirer {
  private readonly log = new Logger('PolicyFirer');

  constructor(
    @Inject(PolicyStore) private readonly store: PolicyStore,
    @Inject(JobsService) private readonly jobs: JobsService,
    @InjectConfig() private readonly config: BackupConfig,
  ) {}

  async fire(policyId: string, reason: string): Promise<Job | undefined> {
    const policy = await this.store.get(policyId);
    if (!policy?.enabled) return undefined; // deleted or disabled since: its scheduler goes at the next sync
    const configured = Object.keys(this.config.BACKUP_SOURCES);
    const sources = policy.sources.length > 0 ? policy.sources.filter((s) => configured.includes(s)) : configured;
    if (sources.length === 0) {
      this.log.warn(`policy ${policy.name}: none of its sources (${policy.sources.join(', ')}) is configured; nothing to back up`);
      return undefined;
    }
    const thenPrune = retentionOf(policy);
    const job = await this.jobs.enqueue({
      kind: 'BACKUP',
      type: policy.type,
      sources,
      params: { type: policy.type, sources, ...(thenPrune ? { thenPrune } : {}) },
      requestedBy: `policy:${policy.name} (${reason})`,
      policyId: policy.id,
    });
    this.log.log(`policy ${policy.name} (${reason}): job ${job.id} queued`);
    return job;
  }
}
