// `make up`: the whole control plane on loopback, with state under .data/ so a
// second run finds the same users, agents and commands. Ctrl-C stops everything.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startInfra } from '@fleetplane/test-harness';
import { DEFAULT_FLEET_PORTS, REPO_ROOT, startFleet, UP_SERVER_PORTS } from './fleet.js';
import { GatewayClient } from './gateway-client.js';

const DATA = process.env.FLEETPLANE_DATA_DIR ?? join(REPO_ROOT, '.data');
const AGENT_ID = process.env.FLEETPLANE_AGENT_ID ?? 'local-agent';
/** Shifts every port (servers and services), so a second stack can run beside the first. */
const PORT_OFFSET = Number(process.env.FLEETPLANE_PORT_OFFSET ?? 0);
const shifted = <T extends object>(ports: T): T =>
  Object.fromEntries(Object.entries(ports as Record<string, number>).map(([k, v]) => [k, v + PORT_OFFSET])) as T;

interface Secrets {
  jwtSecret: string;
  adminEmail: string;
  adminPassword: string;
}

/** Created once and kept (mode 0600): the admin's password is printed only the first time. */
function loadSecrets(): { secrets: Secrets; created: boolean } {
  const file = join(DATA, 'secrets.json');
  if (existsSync(file)) return { secrets: JSON.parse(readFileSync(file, 'utf8')) as Secrets, created: false };
  const secrets: Secrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    adminEmail: process.env.ADMIN_EMAIL ?? 'admin@fleetplane.local',
    adminPassword: process.env.ADMIN_PASSWORD ?? randomBytes(18).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return { secrets, created: true };
}

const say = (line = '') => process.stdout.write(`${line}\n`);

async function up(): Promise<void> {
  mkdirSync(DATA, { recursive: true, mode: 0o755 });
  const { secrets, created } = loadSecrets();
  say(`[up] starting nats-server, redis-server and PostgreSQL (data in ${DATA})`);
  const infra = await startInfra({
    dataDir: join(DATA, 'servers'),
    ports: shifted(UP_SERVER_PORTS),
  });
  let stopping = false;
  let fleet: Awaited<ReturnType<typeof startFleet>> | undefined;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\n[up] stopping the agent, the services and the servers');
    await fleet?.stop();
    await infra.stop();
    say('[up] stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    say('[up] applying migrations and starting the six services');
    fleet = await startFleet({
      infra,
      admin: { email: secrets.adminEmail, password: secrets.adminPassword },
      jwtSecret: secrets.jwtSecret,
      ports: shifted(DEFAULT_FLEET_PORTS),
      logDir: join(DATA, 'logs'),
      backupRepositoryPath: join(DATA, 'backups'),
      agentStateDir: join(DATA, 'agents'),
      ...(process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
    });
    const gateway = new GatewayClient(fleet.gatewayUrl);
    await gateway.login(secrets.adminEmail, secrets.adminPassword);
    // Enrolling again rotates the credential; only the hub's hash of it is kept.
    const { token } = await gateway.enrollAgent(AGENT_ID, 'local');
    await fleet.startAgent({ id: AGENT_ID, token });
    await gateway.waitForAgent(AGENT_ID);
  } catch (err) {
    process.stderr.write(`[up] failed: ${(err as Error).message}\n[up] service logs are in ${join(DATA, 'logs')}\n`);
    await shutdown(1);
    return;
  }

  const url = fleet.gatewayUrl;
  say();
  say(`fleetplane is up. Gateway: ${url}   (logs: ${join(DATA, 'logs')})`);
  say(`Reference agent "${AGENT_ID}" is connected.`);
  if (created && !process.env.ADMIN_PASSWORD) {
    say(`Admin: ${secrets.adminEmail}  password: ${secrets.adminPassword}   (shown once; kept in ${join(DATA, 'secrets.json')})`);
  } else {
    say(`Admin: ${secrets.adminEmail}  (password in ${join(DATA, 'secrets.json')})`);
  }
  say();
  say('Try it (from the repository root):');
  say(`  TOKEN=$(curl -s ${url}/api/v1/auth/login -H 'content-type: application/json' \\`);
  say(`    -d "$(jq '{email: .adminEmail, password: .adminPassword}' .data/secrets.json)" | jq -r .accessToken)`);
  say(`  ID=$(curl -s ${url}/api/v1/commands -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`);
  say(`    -d '{"verb":"exec","params":{"argv":["echo","hello"]},"targets":["${AGENT_ID}"]}' | jq -r .id)`);
  say(`  curl -s ${url}/api/v1/commands/$ID/executions -H "authorization: Bearer $TOKEN" | jq`);
  say();
  say('Ctrl-C stops everything.');
}

void up();
