import { z } from 'zod';

/** BullMQ keys live under this prefix, so services sharing a Redis never collide. */
export const QUEUE_PREFIX = 'fleetplane:backup';
/** One queue for every kind of job on the repository: global concurrency 1 runs them one at a time. */
export const JOBS_QUEUE = 'jobs';
/** The job name a policy's scheduler produces; its processing enqueues the policy's backup. */
export const POLICY_JOB = 'policy';

/** What a queued job carries: only the catalogue row's id (the row holds the request). */
export const jobDataSchema = z.object({ jobId: z.uuid() });
export const policyJobDataSchema = z.object({ policyId: z.uuid(), reason: z.string().default('schedule') });

/** A policy's scheduler id in BullMQ. */
export const schedulerId = (policyId: string) => `policy-${policyId}`;
