import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGrpcClient, unary, type agentHubV1 } from '@fleetplane/contracts/grpc';
import { deployMigrations } from '@fleetplane/prisma-migrate';
import {
  freePort,
  spawnProcess,
  startNats,
  startPostgres,
  type ManagedProcess,
  type PostgresHandle,
  type ServerHandle,
  SERVICE_NODE_ARGS,
} from '@fleetplane/test-harness';

// For integration tests (this app's and the reference agent's): real NATS and
// PostgreSQL, the hub's migrations, and the BUILT hub as its own process.
const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface HubGrpc {
  enrollAgent(req: Partial<agentHubV1.EnrollAgentRequest> & { agentId: string }): Promise<agentHubV1.EnrollAgentResponse>;
  getAgent(agentId: string): Promise<agentHubV1.GetAgentResponse>;
  listAgents(req: Partial<agentHubV1.ListAgentsRequest>): Promise<agentHubV1.ListAgentsResponse>;
}

export interface HubUnderTest {
  natsUrl: string;
  httpUrl: string;
  /** Where /metrics is: the hub's own metrics port (METRICS_PORT), not its public HTTP port. */
  metricsUrl: string;
  wsUrl: string;
  grpcAddress: string;
  readonly process: ManagedProcess;
  grpc: HubGrpc;
  /** Stops the hub process (gracefully) and starts it again on the same ports. */
  restart(): Promise<void>;
  /** Starts another hub process on the same database and NATS (horizontal scaling). */
  addInstance(): Promise<HubInstance>;
  /** Stops PostgreSQL for good, to test an outage (so only in a file's last test); `stop()` still cleans up. */
  stopPostgres(): Promise<void>;
  stop(): Promise<void>;
}

export interface HubInstance {
  httpPort: number;
  grpcPort: number;
  metricsPort: number;
  wsUrl: string;
  process: ManagedProcess;
}

type HubPorts = Pick<HubInstance, 'httpPort' | 'grpcPort' | 'metricsPort'>;

async function launchHub(opts: { databaseUrl: string; natsUrl: string; env: Record<string, string>; ports?: HubPorts }): Promise<HubInstance> {
  const { httpPort, grpcPort, metricsPort } = opts.ports ?? { httpPort: await freePort(), grpcPort: await freePort(), metricsPort: await freePort() };
  const hub = spawnProcess('agent-hub', process.execPath, [...SERVICE_NODE_ARGS], {
    cwd: APP_DIR,
    env: {
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(grpcPort),
      METRICS_PORT: String(metricsPort),
      DATABASE_URL: opts.databaseUrl,
      NATS_URL: opts.natsUrl,
      OTEL_SERVICE_NAME: 'agent-hub',
      // Metrics are scraped from /metrics; without this the OTel SDK's default OTLP metrics
      // exporter retries an absent collector for ~8 s at every shutdown.
      OTEL_METRICS_EXPORTER: 'none',
      ...opts.env,
    },
  });
  try {
    await hub.waitForHttp(`http://127.0.0.1:${httpPort}/ready`, 30_000);
  } catch (err) {
    await hub.stop();
    throw err;
  }
  return { httpPort, grpcPort, metricsPort, wsUrl: `ws://127.0.0.1:${httpPort}/agent/v1`, process: hub };
}

export async function startHubUnderTest(opts: { env?: Record<string, string> } = {}): Promise<HubUnderTest> {
  const [nats, postgres] = await Promise.all([startNats(), startPostgres()]);
  const servers: Array<ServerHandle | PostgresHandle> = [nats, postgres];
  try {
    const databaseUrl = await postgres.createDatabase('agent_hub');
    await deployMigrations({
      schemaPath: join(APP_DIR, 'prisma', 'schema.prisma'),
      migrationsDir: join(APP_DIR, 'prisma', 'migrations'),
      databaseUrl,
    });
    const launch = (ports?: HubPorts) => launchHub({ databaseUrl, natsUrl: nats.url, env: opts.env ?? {}, ...(ports ? { ports } : {}) });
    const first = await launch();
    const extra: HubInstance[] = [];
    const { httpPort, grpcPort, metricsPort } = first;
    let hub = first.process;
    const httpUrl = `http://127.0.0.1:${httpPort}`;
    const grpcAddress = `127.0.0.1:${grpcPort}`;
    const client = await createGrpcClient('agentHub', grpcAddress);
    const grpc: HubGrpc = {
      enrollAgent: (req) => unary(client, 'enrollAgent', { site: '', labels: {}, ...req }),
      getAgent: (agentId) => unary(client, 'getAgent', { agentId }),
      listAgents: (req) => unary(client, 'listAgents', req),
    };
    return {
      natsUrl: nats.url,
      httpUrl,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      wsUrl: `ws://127.0.0.1:${httpPort}/agent/v1`,
      grpcAddress,
      get process() {
        return hub;
      },
      grpc,
      async restart() {
        await hub.stop();
        hub = (await launch({ httpPort, grpcPort, metricsPort })).process;
      },
      async addInstance() {
        const instance = await launch();
        extra.push(instance);
        return instance;
      },
      stopPostgres: () => postgres.stop(),
      async stop() {
        client.close();
        await Promise.all([hub, ...extra.map((i) => i.process)].map((p) => p.stop()));
        await Promise.all(servers.map((s) => s.stop()));
      },
    };
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    throw err;
  }
}
