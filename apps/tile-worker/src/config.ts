import { z } from 'zod';
import { hostPort, loadConfig, port, serviceEnv, url } from '@fleetplane/service-kit';

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);
const MIB = 1024 * 1024;

export const tileWorkerConfigSchema = z
  .object({
    ...serviceEnv,
    HTTP_PORT: port(4400),
    GRPC_PORT: port(5400),
    REDIS_URL: url(['redis', 'rediss']),
    /** Telemetry sources are read from telemetry's StreamHistory; sites (a tile reading `site`) from agent-hub's registry. */
    TELEMETRY_GRPC_URL: hostPort.default('127.0.0.1:5300'),
    AGENT_HUB_GRPC_URL: hostPort.default('127.0.0.1:5100'),
    /**
     * Runs of a job BullMQ makes while an outage (Redis, or telemetry for a telemetry source)
     * stops it, backing off exponentially from JOB_RETRY_DELAY_MS (8 × from 1 s: about 4 min
     * of waiting); then the job FAILS naming the outage.
     */
    JOB_ATTEMPTS: int(1, 100, 8),
    JOB_RETRY_DELAY_MS: int(10, 600_000, 1_000),
    // The worker pool (piscina): threads, how long an idle one lives, partitions waiting for a thread,
    // and each thread's V8 heap (a partition past it is an out-of-memory crash: the thread is replaced).
    MAX_WORKERS: int(1, 64, 2),
    WORKER_IDLE_TIMEOUT_MS: int(0, 3_600_000, 30_000),
    MAX_QUEUED_PARTITIONS: int(1, 100_000, 1_024),
    WORKER_MAX_OLD_GENERATION_MB: int(16, 16_384, 512),
    /** A partition running longer than this is killed with its thread and retried. */
    PARTITION_TIMEOUT_MS: int(100, 3_600_000, 60_000),
    /** Retries of a partition whose thread crashed, ran out of memory or timed out; then the job FAILS. */
    PARTITION_RETRIES: int(0, 10, 2),
    /** A stage over fewer rows runs in the job's own thread: posting it to the pool would cost more than it saves. */
    MIN_POOL_ROWS: int(0, 1_000_000_000, 10_000),
    /** How often a running job checks whether it was cancelled (from any instance). */
    CANCEL_POLL_MS: int(10, 60_000, 200),
    /** Jobs one instance runs at once (each spreads its partitions over the pool). */
    JOB_CONCURRENCY: int(1, 64, 2),
    DEFAULT_JOB_TIMEOUT_MS: int(100, 86_400_000, 300_000),
    MAX_JOB_TIMEOUT_MS: int(100, 86_400_000, 3_600_000),
    /** Rows over all bound sources (and inline program rows) of one job. */
    MAX_JOB_ROWS: int(1, 1_000_000_000, 20_000_000),
    /** The compiler's peak intermediate-memory estimate a job may reach. */
    MAX_JOB_BYTES: int(1, 2 ** 40, 1024 * MIB),
    /** Rows over all sinks a job may produce; more FAILS the job rather than storing them. */
    MAX_RESULT_ROWS: int(1, 10_000_000, 100_000),
    RESULT_PAGE_ROWS: int(1, 100_000, 1_000),
    MAX_RESULT_PAGE_ROWS: int(1, 100_000, 10_000),
    /** How long job records and their results are kept in Redis. */
    JOB_RETENTION_SECONDS: int(60, 30 * 86_400, 86_400),
    /** The in-process result cache's byte budget (lru-cache, sizes tracked) and entry TTL. */
    CACHE_MEMORY_BYTES: int(0, 2 ** 40, 100 * MIB),
    CACHE_MEMORY_TTL_SECONDS: int(1, 30 * 86_400, 600),
    /** The shared Redis tier's TTL; 0 turns the tier off. */
    CACHE_REDIS_TTL_SECONDS: int(0, 30 * 86_400, 3_600),
    /** Compiled programs kept (compile once per program hash). */
    COMPILED_PROGRAMS: int(1, 100_000, 256),
  })
  .refine((c) => c.DEFAULT_JOB_TIMEOUT_MS <= c.MAX_JOB_TIMEOUT_MS, { path: ['DEFAULT_JOB_TIMEOUT_MS'], message: 'must not exceed MAX_JOB_TIMEOUT_MS' })
  .refine((c) => c.RESULT_PAGE_ROWS <= c.MAX_RESULT_PAGE_ROWS, { path: ['RESULT_PAGE_ROWS'], message: 'must not exceed MAX_RESULT_PAGE_ROWS' });
export type TileWorkerConfig = z.infer<typeof tileWorkerConfigSchema>;
export const loadTileWorkerConfig = () => loadConfig(tileWorkerConfigSchema);
