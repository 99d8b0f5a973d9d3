import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { hostPort, loadConfig, natsServers, port, serviceEnv, url } from '@fleetplane/service-kit';
import { rateLimitEnv } from './rate-limit/rate-limit-env.js';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** CORS origins as a comma list; a wildcard would let any site drive the API with a user's token. */
const corsOrigins = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z
        .string()
        .refine((o) => o !== '*' && !o.includes('*'), { message: 'wildcards are not allowed; list each origin' })
        .refine((o) => /^https?:\/\/[^/\s]+$/.test(o), { message: 'each origin must be scheme://host[:port] without a path' }),
    ),
  );

const optionalNonEmpty = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

export const gatewayConfigSchema = z
  .object({
    ...serviceEnv,
    HTTP_PORT: port(4000),
    /** /metrics on a port of its own: HTTP_PORT is the public API. */
    METRICS_PORT: port(9400),
    DATABASE_URL: url(['postgresql', 'postgres']),
    REDIS_URL: url(['redis', 'rediss']),
    /** execution.updated events for the live-update WebSocket. */
    NATS_URL: natsServers(['nats']),
    COMMAND_GRPC_URL: hostPort.default('127.0.0.1:5200'),
    AGENT_HUB_GRPC_URL: hostPort.default('127.0.0.1:5100'),
    TILES_GRPC_URL: hostPort.default('127.0.0.1:5400'),
    TELEMETRY_GRPC_URL: hostPort.default('127.0.0.1:5300'),
    /** /backups, /backup-jobs, /backup-policies. */
    BACKUP_GRPC_URL: hostPort.default('127.0.0.1:5500'),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
    ACCESS_TOKEN_TTL_SECONDS: positiveInt(900),
    REFRESH_TOKEN_TTL_SECONDS: positiveInt(30 * 24 * 3600),
    ADMIN_EMAIL: optionalNonEmpty.pipe(z.email({ message: 'must be an email address' }).optional()),
    ADMIN_PASSWORD: optionalNonEmpty.pipe(z.string().min(12, 'must be at least 12 characters').optional()),
    CORS_ORIGINS: corsOrigins,
    LOGIN_RATE_LIMIT: positiveInt(10),
    LOGIN_RATE_WINDOW_SECONDS: positiveInt(60),
    /** Login attempts per client ip across every email, per LOGIN_RATE_WINDOW_SECONDS (LOGIN_RATE_LIMIT is per ip+email). */
    LOGIN_IP_RATE_LIMIT: positiveInt(100),
    ...rateLimitEnv,
    /** Reverse proxies in front of the gateway whose X-Forwarded-For is trusted (login throttling and audit use the client ip). */
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    /** Deadline of every gRPC call to command and agent-hub. */
    UPSTREAM_TIMEOUT_MS: positiveInt(5_000),
    /** Where audit rows the database refused wait for a retry; a volume to survive the container. Gateways may share it. */
    AUDIT_SPOOL_DIR: z.string().min(1).default(join(tmpdir(), 'fleetplane-gateway-audit-spool')),
    AUDIT_RETRY_INTERVAL_MS: positiveInt(5_000),
    /** Executions' final-state audit rows are inserted this many at a time (one multi-row INSERT)… */
    AUDIT_BATCH_MAX_ROWS: positiveInt(500),
    /** …or after this long, whichever comes first. */
    AUDIT_BATCH_FLUSH_MS: positiveInt(1_000),
    /** How long a live-update socket may stay open before its auth frame. */
    STREAM_AUTH_TIMEOUT_MS: positiveInt(5_000),
  })
  .superRefine((c, ctx) => {
    if (Boolean(c.ADMIN_EMAIL) !== Boolean(c.ADMIN_PASSWORD)) {
      ctx.addIssue({ code: 'custom', path: [c.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL'], message: 'ADMIN_EMAIL and ADMIN_PASSWORD are set together' });
    }
  });

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(gatewayConfigSchema, env);
