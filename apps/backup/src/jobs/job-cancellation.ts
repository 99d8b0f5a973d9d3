import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { eventSchemas, subjects } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { RunningJobs } from './running-jobs.js';

/**
 * Every instance listens (no queue group) for `backup.cancel_requested`: the one running the job
 * aborts it, the others are not running it and ignore the request. This is how a CancelJob that
 * reached one instance stops a job another instance runs.
 */
@Injectable()
export class JobCancellation implements OnApplicationBootstrap {
  constructor(
    @Inject(NatsClient) private readonly nats: Pick<NatsClient, 'subscribe' | 'emit'>,
    @Inject(RunningJobs) private readonly running: RunningJobs,
  ) {}

  onApplicationBootstrap(): void {
    this.nats.subscribe(subjects.event('backup.cancel_requested'), eventSchemas['backup.cancel_requested'], (e) => {
      this.running.abort(e.jobId, e.by);
    });
  }

  /** Asks whichever instance runs the job to stop it (this one included). */
  request(jobId: string, by: string, at: Date): void {
    if (this.running.abort(jobId, by)) return;
    this.nats.emit('backup.cancel_requested', { jobId, by, at: at.toISOString() });
  }
}
