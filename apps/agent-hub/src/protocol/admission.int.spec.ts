import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentCloseCode, parseRetryAfterMs, parseUpgradeRetryAfterMs } from '@fleetplane/contracts';
import { HubClient } from '@fleetplane/agent';
import { TestAgentSocket, type RefusedUpgrade } from '../testing/agent-socket.js';
import { startHubUnderTest, type HubUnderTest } from '../testing/hub-process.js';

// Admission control of the built hub (real PostgreSQL + NATS): a burst beyond the
// per-second rate and a socket beyond MAX_AGENTS are refused at the HTTP upgrade
// with 503 and a retry-after hint (no WebSocket is built for them), and the
// reference agent's client waits that hint before trying again.
const RETRY_AFTER_MS = 1_500;
const MAX_AGENTS = 12;
const inventory = { site: 'adm', os: 'linux', kernel: '6', version: '1', capabilities: [], containerEngine: '', labels: {} };

type HubClientLog = ConstructorParameters<typeof HubClient>[0]['log'];

/** The pino calls HubClient makes (fields, message), kept as one record each; pino itself is the agent's dependency. */
function recordingLog(lines: Array<Record<string, unknown>>): HubClientLog {
  const record = (fields: unknown, msg?: string) => void lines.push({ ...(typeof fields === 'object' ? fields : { msg: fields }), ...(msg ? { msg } : {}) });
  return { info: record, warn: record, error: record, debug: record } as unknown as HubClientLog;
}

type Outcome = { admitted: true; socket: TestAgentSocket } | { admitted: false; upgrade?: RefusedUpgrade; code?: number; reason: string };

/** Opens a socket and says HELLO: admitted once HELLO_ACK arrives, or refused at the upgrade or with the close it got. */
async function attempt(url: string, agentId: string, token: string): Promise<Outcome> {
  const opened = await TestAgentSocket.tryOpen(url);
  if ('refused' in opened) return { admitted: false, upgrade: opened.refused, reason: opened.refused.body.trim() };
  const { socket } = opened;
  socket.sendFrame({ type: 'HELLO', agentId, token, inventory });
  return Promise.race([
    socket.next('HELLO_ACK', 30_000).then(() => ({ admitted: true as const, socket })),
    socket.closed.then((c) => ({ admitted: false as const, ...c })),
  ]);
}

/** A refused upgrade as admission control answers it: 503, the hint in both headers, the reason as the body. */
function expectUpgradeRefusal(refused: RefusedUpgrade | undefined, reason: RegExp): void {
  expect(refused?.status).toBe(503);
  expect(refused!.headers['retry-after']).toBe(String(Math.ceil(RETRY_AFTER_MS / 1_000)));
  expect(parseUpgradeRetryAfterMs(refused!.status, refused!.headers)).toBe(RETRY_AFTER_MS);
  expect(refused!.body.trim()).toMatch(reason);
  expect(parseRetryAfterMs(refused!.body.trim())).toBe(RETRY_AFTER_MS);
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
      expectUpgradeRefusal(o.upgrade, /^connects per second;/);
      await sleep(RETRY_AFTER_MS);
    }
  };

  it('refuses an upgrade burst beyond the per-second rate with 503 and a parseable retry-after, no WebSocket built; the admitted keep their sessions', async () => {
    const outcomes = await Promise.all([...tokens.keys()].filter((id) => id.startsWith('adm-')).map((id) => attempt(hub.wsUrl, id, tokens.get(id)!)));
    const admitted = outcomes.filter((o) => o.admitted);
    const refused = outcomes.filter((o) => !o.admitted);
    expect(admitted.length).toBeGreaterThanOrEqual(10);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expectUpgradeRefusal(r.upgrade, /^(connects per second|max agents); retry-after-ms=\d+$/);
    for (const a of admitted) expect(a.socket.isOpen).toBe(true);
    for (const a of admitted) a.socket.close();
    await Promise.all(admitted.map((a) => a.socket.closed));
    const metrics = await (await fetch(hub.metricsUrl)).text();
    expect(metrics).toMatch(/fleetplane_agent_hub_admission_refusals_total\{reason="connects_per_second",stage="upgrade"[^}]*\} [1-9]/);
    // Refused at the upgrade: none of them became a socket the hub had to close.
    expect(metrics).not.toMatch(/fleetplane_agent_hub_admission_refusals_total\{[^}]*stage="hello"[^}]*\} [1-9]/);
  });

  it(`refuses an upgrade beyond MAX_AGENTS (${MAX_AGENTS}) with 503 "max agents"`, async () => {
    await expect.poll(async () => (await fetch(hub.metricsUrl)).text(), { timeout: 10_000 }).toMatch(/fleetplane_agent_hub_connected_agents(\{[^}]*\})? 0\n/);
    for (let i = 0; i < MAX_AGENTS; i++) held.push(await admitPatiently(`adm-${i}`));
    await sleep(RETRY_AFTER_MS); // a full bucket: the next refusal can only be MAX_AGENTS
    const extra = await TestAgentSocket.tryOpen(hub.wsUrl);
    expect('refused' in extra).toBe(true);
    if ('refused' in extra) expectUpgradeRefusal(extra.refused, new RegExp(`^max agents; retry-after-ms=${RETRY_AFTER_MS}$`));
    for (const s of held) expect(s.isOpen).toBe(true);
  });

  it('the reference agent takes a 503 refusal as a 4429: waits the retry-after (with jitter on top), never gives up, connects once there is room', async () => {
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
      expect(refusal['reason']).toBe(`hub answered the upgrade with HTTP 503; retry-after-ms=${RETRY_AFTER_MS}`);
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
