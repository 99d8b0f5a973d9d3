import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '@fleetplane/service-kit';
import { NatsClient } from '@fleetplane/service-kit/nats';
import type { Job } from '../generated/prisma/client.js';
import { toJobEvent } from './job.mapper.js';

/**
 * Publishes `backup.updated` for a job row. At most once, and never in the way of the job: the
 * catalogue row is the truth, an event lost while NATS is away only delays a progress bar.
 */
@Injectable()
export class JobEvents {
  private readonly log = new Logger('JobEvents');

  constructor(
    @Inject(NatsClient) private readonly nats: Pick<NatsClient, 'emit'>,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  publish(job: Job | null): void {
    if (!job) return;
    try {
      this.nats.emit('backup.updated', toJobEvent(job, this.clock.now()));
    } catch (err) {
      this.log.warn(`backup.updated for job ${job.id} not published: ${(err as Error).message}`);
    }
  }
}
