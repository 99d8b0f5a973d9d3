/**
 * The six services as the cluster runs them: what each listens on, what it reads from a
 * ConfigMap and what from a Secret, what it may use, and how it is sized and scaled.
 * Everything else a service's config schema knows is left to its default (the generated
 * ConfigMap names those variables, so a new one shows up in the regeneration check).
 */
export const SERVICES = ['agent-hub', 'command', 'telemetry', 'backup', 'tile-worker', 'gateway'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** A variable read from a Secret the operator creates; `example` has the value's shape, for the checks and the docs. */
export interface SecretVariable {
  secret: string;
  key: string;
  example: string;
}

export interface Sizing {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
  /** Where the figures come from (BENCHMARKS.md). */
  basis: string;
}

export type ScaleMetric = { kind: 'cpu'; averageUtilization: number } | { kind: 'pods'; metric: string; averageValue: number };

export interface ServiceSpec {
  name: ServiceName;
  httpPort: number;
  /** /metrics on a port of its own; else on httpPort. */
  metricsPort?: number;
  grpcPort?: number;
  /** Owns a database, migrated by a Job before rollout. */
  database: boolean;
  /** Plain values, into the service's ConfigMap. */
  config: Record<string, string>;
  secrets: Record<string, SecretVariable>;
  sizing: Sizing;
  autoscaling: { minReplicas: number; maxReplicas: number; metrics: ScaleMetric[] };
  /** Services whose gRPC port this one calls. */
  calls: ServiceName[];
  usesNats: boolean;
  /** Creates JetStream streams (ensureStream), with JETSTREAM_REPLICAS copies each. */
  createsStreams: boolean;
  usesRedis: boolean;
  /** Writable directories beyond /tmp (emptyDir; the root filesystem is read-only). */
  scratch?: Record<string, string>;
}

/** PostgreSQL and Redis are outside the cluster by default: these names are ExternalName Services. */
export const POSTGRES_HOST = 'postgres';
export const REDIS_HOST = 'redis';
export const NATS_URL = 'nats://nats:4222';

const databaseUrl = (service: string) => {
  const db = `fleetplane_${service.replace(/-/g, '_')}`;
  return { secret: `${service}-database`, key: 'url', example: `postgresql://${db}:change-me@${POSTGRES_HOST}:5432/${db}?sslmode=require` };
};
const redis = (db: number) => `redis://${REDIS_HOST}:6379/${db}`;
const cpu = (averageUtilization: number): ScaleMetric => ({ kind: 'cpu', averageUtilization });

/** The hub's gauge of open agent sessions (apps/agent-hub/src/metrics/hub-metrics.ts), served to the HPA by prometheus-adapter. */
export const CONNECTED_AGENTS_METRIC = 'fleetplane_agent_hub_connected_agents';
/** Agents per hub pod the HPA aims at: 19,500 held at 18 KiB each and 13 % CPU in the hub benchmark; half of that leaves room for a storm. */
export const AGENTS_PER_HUB_POD = 10_000;

export const SERVICE_SPECS: Record<ServiceName, ServiceSpec> = {
  'agent-hub': {
    name: 'agent-hub',
    httpPort: 4100,
    metricsPort: 9410,
    grpcPort: 5100,
    database: true,
    config: { HTTP_PORT: '4100', METRICS_PORT: '9410', GRPC_PORT: '5100', NATS_URL },
    secrets: { DATABASE_URL: databaseUrl('agent-hub') },
    sizing: {
      requests: { cpu: '250m', memory: '512Mi' },
      limits: { cpu: '1', memory: '1Gi' },
      basis: 'idle 153 MiB; 426 MiB holding 10,000 agents and 501 MiB holding 19,500 (agent-hub idle agents, after d3f7711)',
    },
    autoscaling: {
      minReplicas: 2,
      maxReplicas: 20,
      metrics: [{ kind: 'pods', metric: CONNECTED_AGENTS_METRIC, averageValue: AGENTS_PER_HUB_POD }, cpu(70)],
    },
    calls: [],
    usesNats: true,
    createsStreams: true,
    usesRedis: false,
  },
  command: {
    name: 'command',
    httpPort: 4200,
    grpcPort: 5200,
    database: true,
    config: { HTTP_PORT: '4200', GRPC_PORT: '5200', NATS_URL, REDIS_URL: redis(0), AGENT_HUB_GRPC_URL: 'agent-hub:5100' },
    secrets: { DATABASE_URL: databaseUrl('command') },
    sizing: {
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { cpu: '1', memory: '768Mi' },
      basis: 'idle 163 MiB; 233 MiB after 800 commands with the young generation capped; the soak settles below 512 MiB',
    },
    autoscaling: { minReplicas: 2, maxReplicas: 10, metrics: [cpu(70)] },
    calls: ['agent-hub'],
    usesNats: true,
    createsStreams: true,
    usesRedis: true,
  },
  telemetry: {
    name: 'telemetry',
    httpPort: 4300,
    grpcPort: 5300,
    database: true,
    config: { HTTP_PORT: '4300', GRPC_PORT: '5300', NATS_URL, REDIS_URL: redis(1), AGENT_HUB_GRPC_URL: 'agent-hub:5100' },
    secrets: { DATABASE_URL: databaseUrl('telemetry') },
    sizing: {
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { cpu: '1', memory: '512Mi' },
      basis: 'idle 128 MiB; 176 MiB after 3,000 commands with telemetry flowing',
    },
    autoscaling: { minReplicas: 2, maxReplicas: 10, metrics: [cpu(70)] },
    calls: ['agent-hub'],
    usesNats: true,
    createsStreams: true,
    usesRedis: true,
  },
  backup: {
    name: 'backup',
    httpPort: 4500,
    grpcPort: 5500,
    database: true,
    config: {
      HTTP_PORT: '4500',
      GRPC_PORT: '5500',
      NATS_URL,
      REDIS_URL: redis(4),
      // Pods come and go: the repository lives in object storage, credentials from the AWS SDK's
      // default chain (the ServiceAccount's workload identity), never from this repository.
      BACKUP_STORAGE: 's3',
      BACKUP_S3_BUCKET: 'fleetplane-backups',
      BACKUP_S3_REGION: 'us-east-1',
    },
    secrets: {
      DATABASE_URL: databaseUrl('backup'),
      BACKUP_PASSPHRASE: { secret: 'backup-keys', key: 'passphrase', example: 'a long passphrase from the secret store' },
      BACKUP_SOURCES: {
        secret: 'backup-sources',
        key: 'sources',
        example: JSON.stringify({ gateway: `postgresql://backup_reader:change-me@${POSTGRES_HOST}:5432/fleetplane_gateway` }),
      },
      BACKUP_RESTORE_URL: { secret: 'backup-sources', key: 'restore-url', example: `postgresql://backup_restorer:change-me@${POSTGRES_HOST}:5432/postgres` },
    },
    sizing: {
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { cpu: '2', memory: '768Mi' },
      basis: 'idle 110 MiB; a FULL backup peaks at 195 MiB RSS (backup: FULL vs pg_dump), pg_dump runs beside it',
    },
    autoscaling: { minReplicas: 2, maxReplicas: 4, metrics: [cpu(70)] },
    calls: [],
    usesNats: true,
    createsStreams: false,
    usesRedis: true,
  },
  'tile-worker': {
    name: 'tile-worker',
    httpPort: 4400,
    grpcPort: 5400,
    database: false,
    config: {
      HTTP_PORT: '4400',
      GRPC_PORT: '5400',
      REDIS_URL: redis(3),
      TELEMETRY_GRPC_URL: 'telemetry:5300',
      AGENT_HUB_GRPC_URL: 'agent-hub:5100',
    },
    secrets: {},
    sizing: {
      requests: { cpu: '500m', memory: '512Mi' },
      // MAX_WORKERS (2) threads of up to WORKER_MAX_OLD_GENERATION_MB (512) each, plus the 100 MiB result cache.
      limits: { cpu: '2', memory: '1536Mi' },
      basis: 'idle 110 MiB; two pool threads of up to 512 MiB heap each and the 100 MiB cache by default',
    },
    autoscaling: { minReplicas: 2, maxReplicas: 10, metrics: [cpu(70)] },
    calls: ['telemetry', 'agent-hub'],
    usesNats: false,
    createsStreams: false,
    usesRedis: true,
  },
  gateway: {
    name: 'gateway',
    httpPort: 4000,
    metricsPort: 9400,
    database: true,
    config: {
      HTTP_PORT: '4000',
      METRICS_PORT: '9400',
      REDIS_URL: redis(2),
      NATS_URL,
      COMMAND_GRPC_URL: 'command:5200',
      AGENT_HUB_GRPC_URL: 'agent-hub:5100',
      TILES_GRPC_URL: 'tile-worker:5400',
      TELEMETRY_GRPC_URL: 'telemetry:5300',
      BACKUP_GRPC_URL: 'backup:5500',
      ADMIN_EMAIL: 'admin@fleetplane.example',
      // One hop: the ingress controller; its X-Forwarded-For is the client's.
      TRUST_PROXY_HOPS: '1',
      AUDIT_SPOOL_DIR: '/var/spool/fleetplane-audit',
    },
    secrets: {
      DATABASE_URL: databaseUrl('gateway'),
      JWT_SECRET: { secret: 'gateway-auth', key: 'jwt-secret', example: 'x'.repeat(48) },
      ADMIN_PASSWORD: { secret: 'gateway-auth', key: 'admin-password', example: 'an initial admin password' },
    },
    sizing: {
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { cpu: '1', memory: '768Mi' },
      basis: 'idle 161 MiB; 231 MiB after 800 commands with the young generation capped',
    },
    autoscaling: { minReplicas: 2, maxReplicas: 10, metrics: [cpu(70)] },
    calls: ['command', 'agent-hub', 'tile-worker', 'telemetry', 'backup'],
    usesNats: true,
    createsStreams: false,
    usesRedis: true,
    scratch: { 'audit-spool': '/var/spool/fleetplane-audit' },
  },
};

/**
 * kubelet's side of the shutdown (service-kit's runService does the rest: not ready for
 * SHUTDOWN_DELAY_MS, then the drain within SHUTDOWN_TIMEOUT_MS, both read from the service's config).
 */
export const SHUTDOWN = {
  /** preStop sleep: the pod keeps serving while the endpoints and the ingress controller drop it. */
  preStopSeconds: 5,
  /** Beyond preStop + delay + drain before kubelet's SIGKILL. */
  marginSeconds: 5,
};
