import { z } from 'zod';

/**
 * How a worker treats a failed job. Permanent: retrying cannot help (a
 * malformed job, a contract violation); the job fails at once. Transient: a
 * dependency is away or busy; BullMQ retries it with the job's attempts and
 * backoff. Each worker states its policy in code.
 */
export type FailureKind = 'permanent' | 'transient';

export interface RetryPolicy {
  classify(err: unknown): FailureKind;
}

/** Thrown for failures that no retry can fix. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** Permanent: PermanentJobError and schema violations; everything else is retried. */
export const retryUnlessPermanent: RetryPolicy = {
  classify: (err) => (err instanceof PermanentJobError || err instanceof z.ZodError ? 'permanent' : 'transient'),
};

/** A job's data through its schema; a mismatch is permanent (the same data fails every time). */
export function parseJobData<S extends z.ZodType>(schema: S, data: unknown, queue: string): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new PermanentJobError(`malformed ${queue} job: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
