import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsCluster, startPostgres, startRedis, type Infra, type NatsCluster } from '@fleetplane/test-harness';
import { startFleet, type Fleet } from '../fleet.js';
import { GatewayClient } from '../gateway-client.js';
import { loadFleetSim, type SimulatedFleet } from './simulated-fleet.js';

export interface MultiSystemOptions {
  /** Instances of every service (2 for the chaos test; 1 for the comparison run). */
  instances: number;
  /** NATS servers (default 3, streams replicated to all of them; 1: a single server, R1). */
  natsNodes?: number;
  /** Simulated agents (fleet-sim, in this process). */
  simulatedAgents: number;
  /** Reference agents (real agent processes): they run shell commands, so they can leave markers. */
  referenceAgents: number;
  /** Telemetry interval of the simulated agents. */
  telemetryMs: number;
  /** How long a simulated agent takes to answer a command. */
  commandLatencyMs?: number;
  /** One log file per process here (default: none). */
  logDir?: string;
}

export interface MultiSystem {
  cluster: NatsCluster;
  infra: Infra;
  fleet: Fleet;
  /** Signed in as the admin. */
  gateway: GatewayClient;
  sim: SimulatedFleet;
  simIds: string[];
  referenceIds: string[];
  /** Where the reference agents' commands append their markers (one line per execution). */
  markerFile: string;
  stop(): Promise<void>;
}

const admin = { email: 'admin@multi.test', password: 'correct horse battery staple multi' };

/**
 * The whole system as a cluster deployment runs it, on loopback: a NATS cluster (R3 streams when it
 * has 3 nodes), one PostgreSQL and one Redis, `instances` of every service behind round-robin
 * balancers, simulated agents and reference agents connected through the hubs' balancer, so they
 * spread over the hubs. Intervals are short (heartbeats, presence, telemetry) so that a crash is
 * noticed and survived in seconds, not minutes.
 */
export async function startMultiSystem(opts: MultiSystemOptions): Promise<MultiSystem> {
  const natsNodes = opts.natsNodes ?? 3;
  const started: Array<() => Promise<void>> = [];
  const stopStarted = async () => {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
  };
  try {
    const [cluster, redis, postgres] = await Promise.all([
      startNatsCluster({ nodes: natsNodes, ...(opts.logDir ? { logDir: opts.logDir } : {}) }),
      startRedis(),
      startPostgres(),
    ]);
    started.push(
      () => cluster.stop(),
      () => redis.stop(),
      () => postgres.stop(),
    );
    // startFleet hands every service infra.nats.url: here the cluster's comma-separated list.
    const infra: Infra = {
      nats: { url: cluster.url, port: cluster.nodes[0]!.port, stop: () => cluster.stop() },
      redis,
      postgres,
      stop: async () => {
        await Promise.all([cluster.stop(), redis.stop(), postgres.stop()]);
      },
    };
    const fleet = await startFleet({
      infra,
      admin,
      jwtSecret: 'multi-instance-secret-that-is-long-enough-0123456789',
      instances: opts.instances,
      ...(opts.logDir ? { logDir: opts.logDir } : {}),
      env: {
        JETSTREAM_REPLICAS: String(Math.min(3, natsNodes)),
        // The load is the test's own: no request limit is what is being tested.
        RATE_LIMIT_ENABLED: 'false',
        // A dead hub's agents are noticed and its instance forgotten in seconds.
        HEARTBEAT_INTERVAL_MS: '2000',
        PRESENCE_FLUSH_MS: '500',
        // What a killed telemetry instance held unacked comes back in 10 s, not 120.
        INGEST_RETRY_MAX_MS: '5000',
        INGEST_ACK_WAIT_MS: '10000',
        // A killed command instance's dispatch and deadline jobs are taken up in ~5 s, not ~60.
        QUEUE_JOB_LOCK_MS: '4000',
        QUEUE_STALLED_INTERVAL_MS: '1000',
        LOG_LEVEL: 'warn',
      },
    });
    started.push(() => fleet.stop());
    const gateway = new GatewayClient(fleet.gatewayUrl);
    await gateway.login(admin.email, admin.password);

    const markerDir = mkdtempSync(join(tmpdir(), 'fleetplane-multi-markers-'));
    started.push(() => Promise.resolve(rmSync(markerDir, { recursive: true, force: true })));
    const markerFile = join(markerDir, 'markers');
    const referenceIds = Array.from({ length: opts.referenceAgents }, (_, i) => `multi-ref-${i}`);
    for (const id of referenceIds) {
      const { token } = await gateway.enrollAgent(id, 'multi');
      await fleet.startAgent({ id, token });
      await gateway.waitForAgent(id, 30_000);
    }

    const { FleetSimulator, enrollThroughGateway } = await loadFleetSim();
    const simIds = Array.from({ length: opts.simulatedAgents }, (_, i) => `multi-sim-${String(i).padStart(3, '0')}`);
    const credentials = await enrollThroughGateway(
      { gatewayUrl: fleet.gatewayUrl, bearer: gateway.bearer },
      simIds.map((id) => ({ id, site: 'multi-sim' })),
      8,
    );
    const sim = new FleetSimulator(credentials, {
      hubUrl: fleet.hubWsUrl,
      telemetryMs: opts.telemetryMs,
      command: { latencyMs: opts.commandLatencyMs ?? 20, outputBytes: 32 },
      // Back soon after a drop: the hub that dropped them is dead, the balancer sends them to the other.
      backoff: { baseMs: 200, maxMs: 2_000, firstReconnectWindowMs: 1_000 },
    });
    sim.start();
    started.push(async () => {
      await sim.stop(1_000);
    });
    await sim.whenAllConnected(60_000);

    return {
      cluster,
      infra,
      fleet,
      gateway,
      sim,
      simIds,
      referenceIds,
      markerFile,
      stop: stopStarted,
    };
  } catch (err) {
    await stopStarted();
    throw err;
  }
}
