import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { contextFromCarrier, inSpan, SpanKind } from '@fleetplane/observability';
import { InjectConfig } from '@fleetplane/service-kit';
import { parseJobData, QueueHost, QueueWorker, retryUnlessPermanent } from '@fleetplane/service-kit/queue';
import type { TileWorkerConfig } from '../config.js';
import { TILE_QUEUE, tileJobSchema } from '../queue/jobs.js';
import { JobRunner } from './job-runner.js';

/**
 * Works the shared tile queue, JOB_CONCURRENCY jobs at once per instance.
 * Failures of the job itself end in its record (FAILED, TIMED_OUT); what
 * reaches BullMQ is an outage (Redis), which is retried with backoff.
 */
@Injectable()
export class JobWorker extends QueueWorker {
  protected readonly retryPolicy = retryUnlessPermanent;

  constructor(
    @Inject(QueueHost) host: QueueHost,
    @Inject(JobRunner) private readonly runner: JobRunner,
    @InjectConfig() config: Pick<TileWorkerConfig, 'JOB_CONCURRENCY'>,
  ) {
    super(host, { queue: TILE_QUEUE, concurrency: config.JOB_CONCURRENCY });
  }

  protected async process(job: Job): Promise<void> {
    const { jobId, trace } = parseJobData(tileJobSchema, job.data, TILE_QUEUE);
    await inSpan('tile-worker.run', { kind: SpanKind.CONSUMER, parent: contextFromCarrier(trace), attributes: { 'fleetplane.tile_job_id': jobId } }, () =>
      this.runner.run(jobId, job.attemptsMade + 1),
    );
  }
}
