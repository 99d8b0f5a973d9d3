import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfra, type Infra } from '@fleetplane/test-harness';
import { GatewayClient, startFleet, type Fleet } from '@fleetplane/devstack';
import { enrollThroughGateway } from './gateway-enrollment.js';
import { FleetSimulator } from './fleet-simulator.js';
import { simulatedInventory } from './simulated-inventory.js';
import { enrollWithEnrollmentToken } from './token-enrollment.js';

// A small simulated fleet through the whole system: gateway, command and agent-hub as built
// processes on real NATS, Redis and PostgreSQL; credentials minted through the gateway's enroll
// route; commands submitted through the gateway run on simulated agents and come back with their
// simulated output.
const admin = { email: 'admin@fleet-sim.test', password: 'correct horse battery staple' };
const FLEET = 50;
const FAILING = 3;
const BY_TOKEN = 5;

/** An admin's bearer token, for the gateway routes GatewayClient does not cover. */
async function adminBearer(gatewayUrl: string): Promise<string> {
  const res = await fetch(`${gatewayUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function createEnrollmentToken(gatewayUrl: string, body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${gatewayUrl}/api/v1/enrollment-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await adminBearer(gatewayUrl)}` },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST /enrollment-tokens: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

describe('a simulated fleet against the real system', () => {
  let infra: Infra;
  let fleet: Fleet;
  let gateway: GatewayClient;
  let sim: FleetSimulator;
  let failing: FleetSimulator;
  let enrolled: FleetSimulator;

  beforeAll(async () => {
    infra = await startInfra();
    fleet = await startFleet({ infra, admin, jwtSecret: 'fleet-sim-int-secret-that-is-long-enough-0123' });
    gateway = new GatewayClient(fleet.gatewayUrl);
    await gateway.login(admin.email, admin.password);
    const enroll = (prefix: string, n: number) =>
      enrollThroughGateway(
        { gatewayUrl: fleet.gatewayUrl, ...admin },
        Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, site: simulatedInventory(i).site })),
      );
    sim = new FleetSimulator(await enroll('sim', FLEET), { hubUrl: fleet.hubWsUrl, command: { latencyMs: 30, outputBytes: 512, failureRate: 0 } });
    failing = new FleetSimulator(await enroll('flaky', FAILING), { hubUrl: fleet.hubWsUrl, command: { latencyMs: 0, failureRate: 1 } });
    // These enrol themselves: one enrollment token with a use for each, traded at the hub's POST /v1/enroll.
    const token = await createEnrollmentToken(fleet.gatewayUrl, { site: 'by-token', labels: { fleet: 'sim' }, maxUses: BY_TOKEN });
    const ids = Array.from({ length: BY_TOKEN }, (_, i) => `tok-${i}`);
    enrolled = new FleetSimulator(await enrollWithEnrollmentToken(fleet.hubWsUrl, token, ids), { hubUrl: fleet.hubWsUrl });
    for (const s of [sim, failing, enrolled]) s.start();
    await Promise.all([sim, failing, enrolled].map((s) => s.whenAllConnected(60_000)));
  });

  afterAll(async () => {
    await sim?.stop();
    await failing?.stop();
    await enrolled?.stop();
    await fleet?.stop();
    await infra?.stop();
  });

  it('every simulated agent is connected as the registry sees it, with its simulated inventory', async () => {
    const seen = await Promise.all(Array.from({ length: FLEET }, (_, i) => gateway.getAgent(`sim-${i}`)));
    expect(seen.filter((a) => a.connected)).toHaveLength(FLEET);
    const one = (await gateway.getAgent('sim-7')) as unknown as Record<string, unknown>;
    expect(one).toMatchObject({ id: 'sim-7', site: simulatedInventory(7).site, os: 'linux', version: '0.1.0-sim' });
  });

  it('agents enrolled with an enrollment token connect with their own credentials and the token’s site', async () => {
    const seen = await Promise.all(Array.from({ length: BY_TOKEN }, (_, i) => gateway.getAgent(`tok-${i}`)));
    expect(seen.map((a) => a.connected)).toEqual(Array<boolean>(BY_TOKEN).fill(true));
    expect(seen[0] as unknown as Record<string, unknown>).toMatchObject({ id: 'tok-0', site: 'by-token' });
    expect(enrolled.summary()).toMatchObject({ agents: BY_TOKEN, connected: BY_TOKEN, refusedByCode: {}, gaveUp: {} });
  });

  it('a command to several simulated agents completes with each one’s simulated output', async () => {
    const targets = ['sim-0', 'sim-13', 'sim-26', 'sim-49'];
    const submitted = await gateway.submitCommand({ verb: 'exec', params: { argv: ['uptime'] }, targets });
    const done = await gateway.waitForCommand(submitted.id, 30_000, 50);
    expect(done.state).toBe('COMPLETED');
    expect(done.executions.map((e) => e.agentId).sort()).toEqual([...targets].sort());
    for (const e of done.executions) {
      expect(e).toMatchObject({ state: 'COMPLETED', exitCode: 0 });
      expect(e.stdout).toMatch(new RegExp(`^simulated exec on ${e.agentId}\\n`));
      // The whole output travelled as OUTPUT frames (the agents announce "output"); the RESULT keeps a summary.
      // Its own consumer stores it, so it may land just after the RESULT: read until all of it is there.
      await expect.poll(async () => (await gateway.output(submitted.id, e.id)).text.length, { timeout: 10_000 }).toBe(512);
      const full = await gateway.output(submitted.id, e.id);
      expect(full.text).toMatch(new RegExp(`^simulated exec on ${e.agentId}\\n`));
      expect(full.text).toHaveLength(512);
    }
  });

  it('a simulated failure comes back as a failed execution with its exit code', async () => {
    const submitted = await gateway.submitCommand({ verb: 'exec', params: { argv: ['false'] }, targets: ['flaky-1'] });
    const done = await gateway.waitForCommand(submitted.id, 30_000, 50);
    expect(done.executions[0]).toMatchObject({ agentId: 'flaky-1', state: 'FAILED', exitCode: 1 });
    expect(done.executions[0]?.stderr).toContain('simulated failure of exec on flaky-1');
  });

  it('the simulators’ summaries match what the system saw', () => {
    expect(sim.summary()).toMatchObject({
      agents: FLEET,
      connected: FLEET,
      everConnected: FLEET,
      helloAcks: FLEET,
      reconnects: 0,
      refusedByCode: {},
      droppedByCode: {},
      gaveUp: {},
      commandsReceived: 4,
      commandsAnswered: 4,
      commandsFailed: 0,
      hubErrors: {},
      invalidFrames: 0,
    });
    expect(failing.summary()).toMatchObject({ agents: FAILING, connected: FAILING, commandsReceived: 1, commandsAnswered: 1, commandsFailed: 1 });
  });
});
