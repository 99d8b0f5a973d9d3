import type { QueueWorkerOptions } from '@fleetplane/service-kit/queue';
import type { CommandConfig } from '../config.js';

/** How a dead instance's dispatch and deadline jobs are found again (QUEUE_JOB_LOCK_MS, QUEUE_STALLED_INTERVAL_MS). */
export const stalledOptions = (c: Pick<CommandConfig, 'QUEUE_JOB_LOCK_MS' | 'QUEUE_STALLED_INTERVAL_MS'>): NonNullable<QueueWorkerOptions['stalled']> => ({
  lockDuration: c.QUEUE_JOB_LOCK_MS,
  stalledInterval: c.QUEUE_STALLED_INTERVAL_MS,
});
