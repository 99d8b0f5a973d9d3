import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployMigrations } from '@fleetplane/prisma-migrate';
import { freePort, spawnProcess, startTcpBalancer, type Infra, type ManagedProcess, SERVICE_NODE_ARGS, type TcpBalancer } from '@fleetplane/test-harness';

/** The repository root, found from this file (packages/devstack/dist/fleet.js). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const SERVICES = ['agent-hub', 'command', 'telemetry', 'backup', 'tile-worker', 'gateway'] as const;
export type ServiceName = (typeof SERVICES)[number];
/** Services that own a database: each gets its own, with its own migrations. */
export const DATABASE_SERVICES = ['agent-hub', 'command', 'telemetry', 'gateway', 'backup'] as const;

// A type alias rather than an interface, so it has an implicit index signature and Object.values() gives number[].
export type FleetPorts = {
  gateway: number;
  /** /metrics of the gateway and agent-hub, off their public HTTP ports. */
  gatewayMetrics: number;
  agentHubHttp: number;
  agentHubMetrics: number;
  agentHubGrpc: number;
  commandHttp: number;
  commandGrpc: number;
  telemetryHttp: number;
  telemetryGrpc: number;
  tileWorkerHttp: number;
  tileWorkerGrpc: number;
  backupHttp: number;
  backupGrpc: number;
};

/** The ports `make up` uses; tests take free ones. */
export const DEFAULT_FLEET_PORTS: FleetPorts = {
  gateway: 4000,
  gatewayMetrics: 9400,
  agentHubHttp: 4100,
  agentHubMetrics: 9410,
  agentHubGrpc: 5100,
  commandHttp: 4200,
  commandGrpc: 5200,
  telemetryHttp: 4300,
  telemetryGrpc: 5300,
  tileWorkerHttp: 4400,
  tileWorkerGrpc: 5400,
  backupHttp: 4500,
  backupGrpc: 5500,
};

/** Where `make up` runs its servers: beside, not on, the ports a system-wide install would use. */
export const UP_SERVER_PORTS = { nats: 14222, redis: 16379, postgres: 15432 };

export interface FleetOptions {
  infra: Infra;
  admin: { email: string; password: string };
  jwtSecret: string;
  /** Defaults to free loopback ports. */
  ports?: FleetPorts;
  /** OTLP/HTTP base URL every process exports traces to. */
  otlpEndpoint?: string;
  /** One <name>.log per process here. */
  logDir?: string;
  /** Added to every service's environment. */
  env?: Record<string, string>;
  /** The backup service's repository directory; a fresh temporary one by default. */
  backupRepositoryPath?: string;
  /** Where each agent's state (its execution journal) goes, one directory per agent id; a fresh temporary one by default. */
  agentStateDir?: string;
  /**
   * Instances of every service (default 1). With more, each instance listens on ports of its own
   * (`instancePorts[i]`, free ones) and is named `<service>-<i>`; `ports` are then round-robin TCP
   * balancers in front of them (what a Kubernetes Service is), and every address a service or agent
   * is given is a balancer's.
   */
  instances?: number;
}

export interface Fleet {
  ports: FleetPorts;
  gatewayUrl: string;
  hubWsUrl: string;
  processes: Map<string, ManagedProcess>;
  databaseUrls: Record<(typeof DATABASE_SERVICES)[number], string>;
  /** How many instances of each service run. */
  instances: number;
  /** Each instance's own ports (with one instance: `[ports]`). */
  instancePorts: FleetPorts[];
  /** The running process of a service's instance (its key in `processes`: `<service>` or `<service>-<i>`). */
  instance(service: ServiceName, index?: number): ManagedProcess;
  /** SIGKILL one instance: no drain, no goodbye, as a crashed node or an OOM kill. */
  kill(service: ServiceName, index?: number): Promise<void>;
  /** Starts an instance again (killed or not) with the same ports and environment; resolves once it is ready. */
  restart(service: ServiceName, index?: number): Promise<ManagedProcess>;
  /** Starts a reference agent process connected to the hub. */
  startAgent(agent: { id: string; token: string; site?: string; env?: Record<string, string> }): Promise<ManagedProcess>;
  /** Stops agents first, then the gateway, then the services it calls: nothing is left running. */
  stop(): Promise<void>;
}

async function allocatePorts(): Promise<FleetPorts> {
  const entries = await Promise.all(Object.keys(DEFAULT_FLEET_PORTS).map(async (k) => [k, await freePort()] as const));
  return Object.fromEntries(entries) as unknown as FleetPorts;
}

const databaseName = (service: string) => `fleetplane_${service.replace(/-/g, '_')}`;

const appDir = (service: string) => join(REPO_ROOT, 'apps', service);

/**
 * Creates each service's database, applies its migrations and starts the six
 * services as separate processes, in dependency order, each waited on until
 * /ready answers. Used by `make up`, the end-to-end tests and the benchmark.
 */
export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const instances = opts.instances ?? 1;
  if (!Number.isInteger(instances) || instances < 1) throw new Error(`startFleet: instances must be a positive integer, got ${instances}`);
  const ports = opts.ports ?? (await allocatePorts());
  // One instance listens on the fleet's ports; several get their own, behind a balancer on each fleet port.
  const instancePorts = instances === 1 ? [ports] : await Promise.all(Array.from({ length: instances }, () => allocatePorts()));
  const { infra } = opts;
  if (opts.logDir) mkdirSync(opts.logDir, { recursive: true });
  const redisDb = (n: number) => `${infra.redis.url}/${n}`;

  const databaseUrls = Object.fromEntries(
    await Promise.all(DATABASE_SERVICES.map(async (s) => [s, await infra.postgres.createDatabase(databaseName(s))] as const)),
  ) as Fleet['databaseUrls'];
  for (const service of DATABASE_SERVICES) {
    const dir = appDir(service);
    const migrationsDir = join(dir, 'prisma', 'migrations');
    if (!existsSync(migrationsDir)) throw new Error(`${service} has no migrations in ${migrationsDir}`);
    await deployMigrations({ schemaPath: join(dir, 'prisma', 'schema.prisma'), migrationsDir, databaseUrl: databaseUrls[service] });
  }

  // A test fleet's repository is temporary and goes with the fleet; `make up` passes a lasting one.
  const temporaryRepository = opts.backupRepositoryPath ? undefined : mkdtempSync(join(tmpdir(), 'fleetplane-backups-'));
  const backupRepositoryPath = opts.backupRepositoryPath ?? temporaryRepository!;
  // Each agent keeps its execution journal under its own directory; a test fleet's go with it.
  const temporaryAgentState = opts.agentStateDir ? undefined : mkdtempSync(join(tmpdir(), 'fleetplane-agents-'));
  const agentStateDir = opts.agentStateDir ?? temporaryAgentState!;
  const common: Record<string, string> = {
    HTTP_HOST: '127.0.0.1',
    NODE_ENV: 'development',
    ...(opts.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: opts.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '200' } : {}),
    ...opts.env,
  };
  // Listening ports come from the instance's own ports; addresses of other services from `ports`.
  const envsOf = (own: FleetPorts): Record<ServiceName, Record<string, string>> => ({
    'agent-hub': {
      HTTP_PORT: String(own.agentHubHttp),
      METRICS_PORT: String(own.agentHubMetrics),
      GRPC_PORT: String(own.agentHubGrpc),
      DATABASE_URL: databaseUrls['agent-hub'],
      NATS_URL: infra.nats.url,
    },
    command: {
      HTTP_PORT: String(own.commandHttp),
      GRPC_PORT: String(own.commandGrpc),
      DATABASE_URL: databaseUrls.command,
      NATS_URL: infra.nats.url,
      REDIS_URL: redisDb(0),
      AGENT_HUB_GRPC_URL: `127.0.0.1:${ports.agentHubGrpc}`,
    },
    telemetry: {
      HTTP_PORT: String(own.telemetryHttp),
      GRPC_PORT: String(own.telemetryGrpc),
      DATABASE_URL: databaseUrls.telemetry,
      NATS_URL: infra.nats.url,
      REDIS_URL: redisDb(1),
      AGENT_HUB_GRPC_URL: `127.0.0.1:${ports.agentHubGrpc}`,
    },
    backup: {
      HTTP_PORT: String(own.backupHttp),
      GRPC_PORT: String(own.backupGrpc),
      DATABASE_URL: databaseUrls.backup,
      NATS_URL: infra.nats.url,
      REDIS_URL: redisDb(4),
      BACKUP_REPOSITORY_PATH: backupRepositoryPath,
      // A development passphrase: this stack is local and its data throwaway.
      BACKUP_PASSPHRASE: 'fleetplane local development',
      // Every service's database, the backup catalogue included (source "backup").
      BACKUP_SOURCES: JSON.stringify(Object.fromEntries(DATABASE_SERVICES.map((s) => [s, databaseUrls[s]]))),
      BACKUP_RESTORE_URL: infra.postgres.url,
    },
    'tile-worker': {
      HTTP_PORT: String(own.tileWorkerHttp),
      GRPC_PORT: String(own.tileWorkerGrpc),
      REDIS_URL: redisDb(3),
      TELEMETRY_GRPC_URL: `127.0.0.1:${ports.telemetryGrpc}`,
      AGENT_HUB_GRPC_URL: `127.0.0.1:${ports.agentHubGrpc}`,
    },
    gateway: {
      HTTP_PORT: String(own.gateway),
      METRICS_PORT: String(own.gatewayMetrics),
      DATABASE_URL: databaseUrls.gateway,
      REDIS_URL: redisDb(2),
      NATS_URL: infra.nats.url,
      COMMAND_GRPC_URL: `127.0.0.1:${ports.commandGrpc}`,
      AGENT_HUB_GRPC_URL: `127.0.0.1:${ports.agentHubGrpc}`,
      TILES_GRPC_URL: `127.0.0.1:${ports.tileWorkerGrpc}`,
      TELEMETRY_GRPC_URL: `127.0.0.1:${ports.telemetryGrpc}`,
      BACKUP_GRPC_URL: `127.0.0.1:${ports.backupGrpc}`,
      JWT_SECRET: opts.jwtSecret,
      ADMIN_EMAIL: opts.admin.email,
      ADMIN_PASSWORD: opts.admin.password,
    },
  });
  const httpPortOf = (own: FleetPorts): Record<ServiceName, number> => ({
    'agent-hub': own.agentHubHttp,
    command: own.commandHttp,
    telemetry: own.telemetryHttp,
    backup: own.backupHttp,
    'tile-worker': own.tileWorkerHttp,
    gateway: own.gateway,
  });

  const processes = new Map<string, ManagedProcess>();
  const balancers: TcpBalancer[] = [];
  const stopAll = async () => {
    // Reverse start order: agents, gateway, then what it calls.
    for (const p of [...processes.values()].reverse()) await p.stop().catch(() => undefined);
    await Promise.all(balancers.map((b) => b.stop()));
    if (temporaryRepository) rmSync(temporaryRepository, { recursive: true, force: true });
    if (temporaryAgentState) rmSync(temporaryAgentState, { recursive: true, force: true });
  };
  const instanceName = (service: ServiceName, index: number) => (instances === 1 ? service : `${service}-${index}`);
  const checkIndex = (index: number) => {
    if (!Number.isInteger(index) || index < 0 || index >= instances) throw new Error(`no instance ${index} (the fleet runs ${instances})`);
  };
  const launchInstance = async (service: ServiceName, index: number) => {
    const name = instanceName(service, index);
    const own = instancePorts[index]!;
    const p = spawnProcess(name, process.execPath, [...SERVICE_NODE_ARGS], {
      cwd: appDir(service),
      env: { ...common, OTEL_SERVICE_NAME: service, ...envsOf(own)[service] },
      ...(opts.logDir ? { logFile: join(opts.logDir, `${name}.log`) } : {}),
    });
    processes.set(name, p);
    await p.waitForHttp(`http://127.0.0.1:${httpPortOf(own)[service]}/ready`, 60_000);
    return p;
  };
  try {
    if (instances > 1) {
      for (const key of Object.keys(ports) as Array<keyof FleetPorts>) {
        balancers.push(await startTcpBalancer({ port: ports[key], backends: instancePorts.map((p) => p[key]) }));
      }
    }
    // Instance by instance, as a scale-up would: the first ones create what is created once
    // (the admin, streams, consumers) without racing each other.
    for (let i = 0; i < instances; i++) {
      // agent-hub first (command checks agents with it), the gateway last.
      await launchInstance('agent-hub', i);
      await Promise.all((['command', 'telemetry', 'backup', 'tile-worker'] as const).map((s) => launchInstance(s, i)));
      await launchInstance('gateway', i);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }

  const hubWsUrl = `ws://127.0.0.1:${ports.agentHubHttp}/agent/v1`;
  return {
    ports,
    gatewayUrl: `http://127.0.0.1:${ports.gateway}`,
    hubWsUrl,
    processes,
    databaseUrls,
    instances,
    instancePorts,
    instance(service, index = 0) {
      checkIndex(index);
      const p = processes.get(instanceName(service, index));
      if (!p) throw new Error(`${instanceName(service, index)} is not running`);
      return p;
    },
    async kill(service, index = 0) {
      checkIndex(index);
      await processes.get(instanceName(service, index))?.stop('SIGKILL');
    },
    async restart(service, index = 0) {
      checkIndex(index);
      await processes.get(instanceName(service, index))?.stop();
      return launchInstance(service, index);
    },
    startAgent(agent) {
      const p = spawnProcess(`agent ${agent.id}`, process.execPath, [...SERVICE_NODE_ARGS], {
        cwd: join(REPO_ROOT, 'packages', 'agent'),
        env: {
          ...common,
          OTEL_SERVICE_NAME: 'agent',
          HUB_URL: hubWsUrl,
          AGENT_ID: agent.id,
          AGENT_TOKEN: agent.token,
          AGENT_SITE: agent.site ?? 'local',
          AGENT_STATE_DIR: join(agentStateDir, agent.id),
          ...agent.env,
        },
        ...(opts.logDir ? { logFile: join(opts.logDir, `agent-${agent.id}.log`) } : {}),
      });
      processes.set(`agent ${agent.id}`, p);
      return Promise.resolve(p);
    },
    stop: stopAll,
  };
}
