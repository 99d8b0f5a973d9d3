import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAgentSocket } from '../testing/agent-socket.js';
import { startHubUnderTest, type HubUnderTest } from '../testing/hub-process.js';

// Two hub processes on one database; one is killed with SIGKILL (no shutdown
// hook runs) while holding an agent. The survivor clears that session once the
// dead instance's beat is older than the presence window (3 heartbeats: 3 s here).
const HEARTBEAT_MS = 1_000;

const metric = async (url: string, name: string): Promise<number> => {
  const text = await (await fetch(url)).text();
  const m = new RegExp(`^fleetplane_agent_hub_${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
};

describe('presence across hub instances (processes, real PostgreSQL + NATS)', () => {
  let hub: HubUnderTest;
  let token: string;

  beforeAll(async () => {
    hub = await startHubUnderTest({ env: { HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS), PRESENCE_FLUSH_MS: '300' } });
    token = (await hub.grpc.enrollAgent({ agentId: 'orphan-1' })).token;
  });

  afterAll(() => hub?.stop());

  it('shows the instance, the protocol version and connectedAt of a session, and keeps last-seen current from batched flushes', async () => {
    const agent = await TestAgentSocket.connect(hub.wsUrl, 'orphan-1', token);
    const first = (await hub.grpc.getAgent('orphan-1')).agent!;
    expect(first).toMatchObject({ connected: true, protocolVersion: 1 });
    expect(first.hubInstanceId).not.toBe('');
    expect(Date.parse(first.connectedAt)).toBeGreaterThan(0);
    agent.sendFrame({ type: 'HEARTBEAT' });
    await expect.poll(async () => (await hub.grpc.getAgent('orphan-1')).agent!.lastSeenAt, { timeout: 5_000 }).not.toBe(first.lastSeenAt);
    expect((await hub.grpc.getAgent('orphan-1')).agent!.connectedAt).toBe(first.connectedAt);
    agent.close();
    await agent.closed;
    await expect
      .poll(async () => (await hub.grpc.getAgent('orphan-1')).agent, { timeout: 5_000 })
      .toMatchObject({
        connected: false,
        connectedAt: '',
        hubInstanceId: '',
        protocolVersion: 0,
      });
  });

  it('clears the sessions of an instance killed with SIGKILL, from another instance, within the presence window', async () => {
    const doomed = await hub.addInstance();
    const agent = await TestAgentSocket.connect(doomed.wsUrl, 'orphan-1', token);
    const held = (await hub.grpc.getAgent('orphan-1')).agent!;
    expect(held.connected).toBe(true);
    const survivorCleared = await metric(hub.metricsUrl, 'dead_instance_sessions_cleared_total');
    expect(await doomed.process.stop('SIGKILL')).toBeNull();
    await agent.closed;
    // No graceful disconnect was written: only the survivor's cleanup of the dead instance clears it.
    await expect.poll(() => metric(hub.metricsUrl, 'dead_instance_sessions_cleared_total'), { timeout: 3 * HEARTBEAT_MS + 10_000 }).toBe(survivorCleared + 1);
    expect((await hub.grpc.getAgent('orphan-1')).agent).toMatchObject({ connected: false, hubInstanceId: '', connectedAt: '' });
    expect(hub.process.output()).toMatch(/cleared 1 sessions held by hub instances that stopped beating/);
    // The agent comes back to the survivor as usual.
    const back = await TestAgentSocket.connect(hub.wsUrl, 'orphan-1', token);
    const again = (await hub.grpc.getAgent('orphan-1')).agent!;
    expect(again.connected).toBe(true);
    expect(again.hubInstanceId).not.toBe(held.hubInstanceId);
    back.close();
  });
});
