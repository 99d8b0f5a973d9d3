import { z } from 'zod';
import { hostPort, jetstreamReplicas, loadConfig, natsServers, port, serviceEnv, url } from '@fleetplane/service-kit';
import { MAX_JOB_BATCH } from './queue/jobs.js';

export const commandConfigSchema = z
  .object({
    ...serviceEnv,
    HTTP_PORT: port(4200),
    GRPC_PORT: port(5200),
    DATABASE_URL: url(['postgresql', 'postgres']),
    NATS_URL: natsServers(['nats']),
    JETSTREAM_REPLICAS: jetstreamReplicas,
    REDIS_URL: url(['redis', 'rediss']),
    AGENT_HUB_GRPC_URL: hostPort.default('127.0.0.1:5100'),
    /** Used when a submit says 0. */
    DEFAULT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(300),
    MAX_TIMEOUT_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600)
      .default(86_400),
    /** How long a released execution waits for its (offline) agent when a submit says 0, and the most it may ask. */
    DEFAULT_TTL_SECONDS: z.coerce.number().int().min(1).default(3600),
    MAX_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 3600)
      .default(7 * 24 * 3600),
    /** Output stored per execution and stream; the agent stops streaming beyond it and the result says truncated. */
    OUTPUT_CAP_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .default(16 * 1024 * 1024),
    /** Stored output older than this is deleted (the executions and their inline summaries stay). */
    OUTPUT_RETENTION_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .default(7 * 24),
    /** Executions one instance sends to the hubs at once (each waits for its hub's answer); also the dispatch jobs it holds. */
    DISPATCH_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(64),
    /** Executions per dispatch job and per deadline job: a 10,000-agent command is 10,000 / this many of each. */
    DISPATCH_BATCH_SIZE: z.coerce.number().int().min(1).max(MAX_JOB_BATCH).default(100),
    /**
     * A released execution whose jobs are not known to be in the queue this many seconds after its
     * release is queued again by any instance (its own died between storing and queueing); also how
     * often each instance looks. A duplicate job is harmless, so a short setting costs only queries.
     */
    QUEUE_RECOVERY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    /**
     * The lock of a dispatch or deadline job an instance is working on, renewed at half of it
     * while it runs: when the instance dies, its jobs are taken up by another this long after,
     * at the next stalled check (every QUEUE_STALLED_INTERVAL_MS). BullMQ's defaults, 30 s each;
     * shorter recovers sooner, at the price of a renewal per job every half lock.
     */
    QUEUE_JOB_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
    QUEUE_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  })
  .refine((c) => c.DEFAULT_TIMEOUT_SECONDS <= c.MAX_TIMEOUT_SECONDS, {
    path: ['DEFAULT_TIMEOUT_SECONDS'],
    message: 'must not exceed MAX_TIMEOUT_SECONDS',
  })
  .refine((c) => c.DEFAULT_TTL_SECONDS <= c.MAX_TTL_SECONDS, { path: ['DEFAULT_TTL_SECONDS'], message: 'must not exceed MAX_TTL_SECONDS' });
export type CommandConfig = z.infer<typeof commandConfigSchema>;
export const loadCommandConfig = () => loadConfig(commandConfigSchema);
