import { traceCarrierSchema } from '@fleetplane/contracts';
import { z } from 'zod';

/** Every tile-worker key in Redis (queue, job records, results, shared cache) lives under this prefix. */
export const KEY_PREFIX = 'fleetplane:tile-worker';
export const TILE_QUEUE = 'tile-jobs';

/** A queued job: only its id (the program and data are stored with the record). The carrier continues the submitter's trace. */
export const tileJobSchema = z.object({
  jobId: z.uuid(),
  trace: traceCarrierSchema.optional(),
});
export type TileJob = z.infer<typeof tileJobSchema>;
