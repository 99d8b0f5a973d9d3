import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentHubV1, createGrpcClient, unary, type GrpcClient } from '@fleetplane/contracts/grpc';
import { spawnProcess, type ManagedProcess, SERVICE_NODE_ARGS } from '@fleetplane/test-harness';
import { startHubUnderTest, type HubUnderTest } from '../testing/hub-process.js';

// The reference agent (built, its own process) started with an enrollment token against the
// built hub (real PostgreSQL + NATS): it enrols once, stores its credential (0600), and after a
// restart without the token connects with the stored credential.
const AGENT_DIR = dirname(dirname(createRequire(import.meta.url).resolve('@fleetplane/agent')));

const spawnAgent = (env: Record<string, string>, args: string[] = []): ManagedProcess =>
  spawnProcess('agent', process.execPath, [...SERVICE_NODE_ARGS, ...args], {
    cwd: AGENT_DIR,
    env: { OTEL_SERVICE_NAME: 'agent', OTEL_METRICS_EXPORTER: 'none', ...env },
  });

describe('reference agent enrolling with a token (processes, real PostgreSQL + NATS)', () => {
  let hub: HubUnderTest;
  let access: GrpcClient;
  let stateDir: string;
  let agent: ManagedProcess | undefined;
  let tokenId: string;

  beforeAll(async () => {
    hub = await startHubUnderTest();
    access = await createGrpcClient('agentHub', hub.grpcAddress, agentHubV1.AGENT_ACCESS_SERVICE_NAME);
    stateDir = await mkdtemp(join(tmpdir(), 'agent-state-'));
  });

  afterAll(async () => {
    await agent?.stop();
    access?.close();
    await hub?.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('enrols with --enrollment-token, stores its credential with mode 0600, and connects with the token’s site and labels', async () => {
    const created = await unary<agentHubV1.CreateEnrollmentTokenResponse>(access, 'createEnrollmentToken', {
      site: 'enrol-it',
      labels: { role: 'enrolled' },
      createdBy: 'it',
    });
    tokenId = created.enrollmentToken!.id;
    agent = spawnAgent({ HUB_URL: hub.wsUrl, AGENT_STATE_DIR: stateDir }, ['--enrollment-token', created.token, '--agent-id', 'ref-enrol-1']);
    await agent.waitForOutput(/connected to hub/);
    const file = join(stateDir, 'credential.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(file, 'utf8')) as { agentId: string; credential: string };
    expect(stored.agentId).toBe('ref-enrol-1');
    expect(stored.credential).not.toBe(created.token);
    expect(await readFile(file, 'utf8')).not.toContain(created.token);
    expect((await hub.grpc.getAgent('ref-enrol-1')).agent).toMatchObject({ connected: true, site: 'enrol-it', labels: { role: 'enrolled' } });
    expect(agent.output()).not.toContain(created.token.slice(17));
  });

  it('restarts without the token and connects with the stored credential, enrolling nothing', async () => {
    await agent!.stop();
    agent = spawnAgent({ HUB_URL: hub.wsUrl, AGENT_STATE_DIR: stateDir });
    await agent.waitForOutput(/connected to hub/);
    expect((await hub.grpc.getAgent('ref-enrol-1')).agent?.connected).toBe(true);
    const tokens = await unary<agentHubV1.ListEnrollmentTokensResponse>(access, 'listEnrollmentTokens', {});
    expect(tokens.enrollmentTokens.find((t) => t.id === tokenId)?.uses).toBe(1);
    const metrics = await (await fetch(hub.metricsUrl)).text();
    expect(metrics).toMatch(/fleetplane_agent_hub_enrollments_total\{outcome="enrolled"[,}].* 1\n/);
  });
});
