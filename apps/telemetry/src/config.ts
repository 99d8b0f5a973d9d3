import { z } from 'zod';
import { hostPort, jetstreamReplicas, loadConfig, natsServers, port, serviceEnv, url } from '@fleetplane/service-kit';

const DAY_MS = 86_400_000;
const days = (fallback: number) => z.coerce.number().int().min(1).max(3650).default(fallback);
const ms = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);

export const telemetryConfigSchema = z
  .object({
    ...serviceEnv,
    HTTP_PORT: port(4300),
    GRPC_PORT: port(5300),
    DATABASE_URL: url(['postgresql', 'postgres']),
    NATS_URL: natsServers(['nats', 'tls']),
    JETSTREAM_REPLICAS: jetstreamReplicas,
    REDIS_URL: url(['redis', 'rediss']),
    /** agent-hub's gRPC API: agent selection by site and labels (history stream, fleet summary). */
    AGENT_HUB_GRPC_URL: hostPort.default('127.0.0.1:5100'),
    /** An agent silent for this long has no "latest" sample any more. */
    LATEST_SAMPLE_TTL_SECONDS: z.coerce.number().int().positive().default(86_400),
    /** Samples written per batch (a batch is also flushed after INGEST_BATCH_LINGER_MS). 5,000 halves the CPU per sample of 1,000 (BENCHMARKS.md): an agent appears several times in a batch, so its rollup rows are merged once for several samples. */
    INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(5_000),
    INGEST_BATCH_LINGER_MS: ms(50),
    /**
     * Retry of a batch that could not be stored (PostgreSQL or Redis away): the batch is handed
     * back to JetStream with this delay, doubling from MIN to MAX while the failure lasts. The
     * consumer has no max_deliver: a sample is never given up, however long the outage.
     */
    INGEST_RETRY_MIN_MS: ms(500),
    INGEST_RETRY_MAX_MS: ms(30_000),
    /** JetStream redelivers an unacked sample after this; must exceed a batch's worst write time. */
    INGEST_ACK_WAIT_MS: ms(120_000, 1_000),
    /** Unacked samples the consumer may hold at once (JetStream's max_ack_pending): the backpressure. */
    INGEST_MAX_ACK_PENDING: z.coerce.number().int().min(1).default(20_000),
    RETENTION_RAW_DAYS: days(7),
    RETENTION_1M_DAYS: days(30),
    RETENTION_1H_DAYS: days(400),
    /** How often partitions are created ahead and dropped past retention (also once at start-up). */
    PARTITION_MAINTENANCE_INTERVAL_MS: ms(3_600_000, 1_000),
    /** Alert rules are re-read at least this often (and at once on alert_rules.changed). */
    ALERT_RULES_TTL_MS: ms(30_000, 100),
    /** A rule scoped by site or labels keeps its agent-hub resolution this long. */
    ALERT_SCOPE_TTL_MS: ms(60_000, 100),
    /** How often the "no data" sweep runs (one instance per sweep). */
    ALERT_NO_DATA_SWEEP_MS: ms(10_000, 100),
    /** An agent's reporting interval until two samples tell it (the hub's default telemetry interval). */
    ALERT_NO_DATA_DEFAULT_INTERVAL_MS: ms(60_000, 100),
    /** Agents silent for longer are no longer "reporting": no new no-data alert. */
    ALERT_NO_DATA_MAX_SILENCE_HOURS: z.coerce.number().int().min(1).max(8760).default(24),
  })
  .refine((c) => c.INGEST_RETRY_MIN_MS <= c.INGEST_RETRY_MAX_MS, { path: ['INGEST_RETRY_MIN_MS'], message: 'must not exceed INGEST_RETRY_MAX_MS' })
  .refine((c) => c.INGEST_ACK_WAIT_MS > c.INGEST_RETRY_MAX_MS, {
    path: ['INGEST_ACK_WAIT_MS'],
    message: 'must exceed INGEST_RETRY_MAX_MS, or a paused batch is redelivered while it waits',
  })
  .refine((c) => c.RETENTION_RAW_DAYS <= c.RETENTION_1M_DAYS && c.RETENTION_1M_DAYS <= c.RETENTION_1H_DAYS, {
    path: ['RETENTION_1M_DAYS'],
    message: 'retention must not shrink with coarser resolution (raw ≤ 1m ≤ 1h)',
  });
export type TelemetryConfig = z.infer<typeof telemetryConfigSchema>;
export const loadTelemetryConfig = () => loadConfig(telemetryConfigSchema);

export const retentionMs = (c: TelemetryConfig) => ({
  raw: c.RETENTION_RAW_DAYS * DAY_MS,
  '1m': c.RETENTION_1M_DAYS * DAY_MS,
  '1h': c.RETENTION_1H_DAYS * DAY_MS,
});
