import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentCloseCode, parseRetryAfterMs } from '@fleetplane/contracts';
import { HubClient } from '@fleetplane/agent';
import { TestAgentSocket } from '../testing/agent-socket.js';
import { startHubUnderTest, type HubUnderTest } from '../testing/hub-process.js';

// Admission control of the built hub (real PostgreSQL + NATS): a burst beyond the
// per-second rate and a socket beyond MAX_AGENTS are refused with 4429 and a hint,
// and the reference agent's client waits that hint before trying again.
const RETRY_AFTER_MS = 1_500;
const MAX_AGENTS = 12;
const inventory = { site: 'adm', os: 'linux', kernel: '6', version: '1', capabilities: [], containerEngine: '', labels: {} };

type HubClientLog = ConstructorParameters<typeof HubClient>[0]['log'];

/** The pino calls HubClient makes (fields, message), kept as one record each; pino itself is the agent's dependency. */
function recordingLog(lines: Array<Record<string, unknown>>): HubClientLog {
  const record = (fields: unknown, msg?: string) => void lines.push({ ...(typeof fields === 'object' ? fields : { msg: fields }), ...(msg ? { msg } : {}) });
  return { info: record, warn: record, error: record, debug: record } as unknown as HubClientLog;
}

type Outcome = { admitted: true; socket: TestAgentSocket } | { admitted: false; code: number; reason: string };

/** Opens a socket and says HELLO: admitted once HELLO_ACK arrives, or refused with the close it got. */
async function attempt(url: string, agentId: string, token: string): Promise<Outcome> {
  const socket = await TestAgentSocket.open(url);
  socket.sendFrame({ type: 'HELLO', agentId, token, inventory });
  return Promise.race([
    socket.next('HELLO_ACK', 30_000).then(() => ({ admitted: true as const, socket })),
    socket.closed.then((c) => ({ admitted: false as const, ...c })),
  ]);
}

describe('admission control (process, real PostgreSQL + NATS)', () => {
  let hub: HubUnderTest;
  const tokens = new Map<string, string>();
  const held: TestAgentSocket[] = [];

  beforeAll(async () => {
    hub = await startHubUnderTest({
      env: { MAX_AGENTS: String(MAX_AGENTS), MAX_CONNECTS_PER_SECOND: '10', ADMISSION_RETRY_AFTER_MS: String(RETRY_AFTER_MS), HELLO_TIMEOUT_MS: '30000' },
    });
    for (let i = 0; i < 60; i++) tokens.set(`adm-${i}`, (await hub.grpc.enrollAgent({ agentId: `adm-${i}` })).token);
    tokens.set('ref-1', (await hub.grpc.enrollAgent({ agentId: 'ref-1' })).token);
  });

  afterAll(async () => {
    for (const s of held) s.close();
    await hub?.stop();
  });

  /** Holds a session for `agentId`, coming back after the hint whenever the per-second rate refuses it. */
  const admitPatiently = async (agentId: string): Promise<TestAgentSocket> => {
    for (;;) {
      const o = await attempt(hub.wsUrl, agentId, tokens.get(agentId)!);
      if (o.admitted) return o.socket;
      expect(o.code).toBe(AgentCloseCode.TryAgainLater);
      expect(o.reason).toMatch(/^connects per second;/);
      await sleep(parseRetryAfterMs(o.reason) ?? RETRY_AFTER_MS);
    }
  };

  it('refuses a connection burst beyond the per-second rate with 4429 and a parseable retry-after; the admitted keep their sessions', async () => {
    const outcomes = await Promise.all([...tokens.keys()].filter((id) => id.startsWith('adm-')).map((id) => attempt(hub.wsUrl, id, tokens.get(id)!)));
    const admitted = outcomes.filter((o) => o.admitted);
    const refused = outcomes.filter((o) => !o.admitted);
    expect(admitted.length).toBeGreaterThanOrEqual(10);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.code).toBe(AgentCloseCode.TryAgainLater);
      expect(r.reason).toMatch(/^(connects per second|max agents); retry-after-ms=\d+$/);
      expect(parseRetryAfterMs(r.reason)).toBe(RETRY_AFTER_MS);
    }
    for (const a of admitted) expect(a.socket.isOpen).toBe(true);
    for (const a of admitted) a.socket.close();
    await Promise.all(admitted.map((a) => a.socket.closed));
    const metrics = await (await fetch(hub.metricsUrl)).text();
    expect(metrics).toMatch(/fleetplane_agent_hub_admission_refusals_total\{reason="connects_per_second"[^}]*\} [1-9]/);
  });

  it(`refuses a socket beyond MAX_AGENTS (${MAX_AGENTS}) with 4429 "max agents"`, async () => {
    await expect.poll(async () => (await fetch(hub.metricsUrl)).text(), { timeout: 10_000 }).toMatch(/fleetplane_agent_hub_connected_agents(\{[^}]*\})? 0\n/);
    for (let i = 0; i < MAX_AGENTS; i++) held.push(await admitPatiently(`adm-${i}`));
    await sleep(RETRY_AFTER_MS); // a full bucket: the next refusal can only be MAX_AGENTS
    const extra = await TestAgentSocket.open(hub.wsUrl);
    const closed = await extra.closed;
    expect(closed.code).toBe(AgentCloseCode.TryAgainLater);
    expect(closed.reason).toBe(`max agents; retry-after-ms=${RETRY_AFTER_MS}`);
    for (const s of held) expect(s.isOpen).toBe(true);
  });

  it('the reference agent waits the retry-after (with jitter on top) and connects once there is room', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const client = new HubClient({
      url: hub.wsUrl,
      agentId: 'ref-1',
      token: tokens.get('ref-1')!,
      inventory,
      sample: () =>
        Promise.resolve({ cpuPercent: 1, memoryUsedBytes: 1, memoryTotalBytes: 2, load: [0, 0, 0], diskUsedBytes: 1, diskTotalBytes: 2, uptimeSeconds: 1 }),
      onCommand: () => undefined,
      log: recordingLog(lines),
      backoff: { baseMs: 10, maxMs: 50 },
    });
    const done = client.run();
    try {
      await expect.poll(() => lines.find((l) => l['code'] === AgentCloseCode.TryAgainLater), { timeout: 10_000 }).toBeDefined();
      const refusal = lines.find((l) => l['code'] === AgentCloseCode.TryAgainLater)!;
      expect(refusal['reason']).toBe(`max agents; retry-after-ms=${RETRY_AFTER_MS}`);
      // The hint is a floor, above the client's own 50 ms cap; jitter adds up to as much again.
      expect(refusal['retryInMs']).toBeGreaterThanOrEqual(RETRY_AFTER_MS);
      expect(refusal['retryInMs']).toBeLessThanOrEqual(2 * RETRY_AFTER_MS);
      const room = held.pop()!;
      room.close();
      await room.closed;
      await expect.poll(() => lines.some((l) => l['msg'] === 'connected to hub'), { timeout: 20_000 }).toBe(true);
      await expect.poll(async () => (await hub.grpc.getAgent('ref-1')).agent?.connected, { timeout: 10_000 }).toBe(true);
    } finally {
      client.stop();
      await done;
    }
  });
});
