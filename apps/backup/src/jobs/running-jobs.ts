import { Injectable } from '@nestjs/common';

/** Why a job stopped: the worker records CANCELLED (not FAILED) when a run ends with this reason. */
export class JobCancelledError extends Error {
  override name = 'JobCancelledError';
}

/**
 * The jobs this process is running, each with the AbortController that stops it. The worker adds a
 * job while it runs it; a cancel (this process's CancelJob, or `backup.cancel_requested` from
 * another instance) aborts it here. BullMQ's own `worker.cancelJob` does the same per worker, but
 * the worker is service-kit's and owns its signal; this keeps cancelling within the backup service.
 */
@Injectable()
export class RunningJobs {
  private readonly running = new Map<string, AbortController>();

  /** Runs `work` with a signal a cancel of `jobId` aborts. */
  async run<T>(jobId: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.running.set(jobId, controller);
    try {
      return await work(controller.signal);
    } finally {
      if (this.running.get(jobId) === controller) this.running.delete(jobId);
    }
  }

  /** Aborts the job if it runs here; false when it does not. */
  abort(jobId: string, by: string): boolean {
    const controller = this.running.get(jobId);
    if (!controller) return false;
    controller.abort(new JobCancelledError(`cancelled by ${by}`));
    return true;
  }
}
