import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_STATISTICS, statisticsUnavailable } from '../test/fake-peers.js';
import { callGateway, startGatewayStack, type CallOptions, type GatewayStack, type Reply } from '../test/gateway-stack.js';
import type { StatisticsView } from './statistics.schemas.js';

// GET /api/v1/statistics on the built gateway process, agent-hub and command played by the
// fake peers (test/fake-peers.ts) with canned statistics. callGateway holds every answer
// against the gateway's OpenAPI document.

const ADMIN = { email: 'stats-admin@example.com', password: 'stats-admin-password-1234' };

describe('GET /api/v1/statistics (gateway process, fake peers)', () => {
  let stack: GatewayStack;
  let admin: string;
  const call = <T = unknown>(opts: CallOptions = {}): Promise<Reply<T>> => callGateway<T>(stack.base, 'GET', '/api/v1/statistics', opts);
  const apiKey = async (scopes: string[]) => {
    const res = await callGateway<{ key: string }>(stack.base, 'POST', '/api/v1/api-keys', {
      token: admin,
      body: { name: `stats ${scopes.join(' ')}`, role: 'viewer', scopes },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.key;
  };

  beforeAll(async () => {
    stack = await startGatewayStack({ admin: ADMIN });
    const login = await callGateway<{ accessToken: string }>(stack.base, 'POST', '/api/v1/auth/login', { body: ADMIN });
    admin = login.body.accessToken;
  });

  afterAll(async () => {
    statisticsUnavailable.clear();
    await stack?.stop();
  });

  it('answers both peers in one Statistics body', async () => {
    const before = Date.now();
    const res = await call<StatisticsView>({ token: admin });
    expect(res.status, res.text).toBe(200);
    expect(res.body.agents).toEqual({
      total: 3,
      connected: 2,
      bySite: [
        { site: 'lab', total: 2, connected: 2 },
        { site: '', total: 1, connected: 0 },
      ],
      byOs: [{ os: 'linux', total: 3, connected: 2 }],
    });
    // The peer sent COMPLETED and FAILED only: every other state reads 0.
    expect(res.body.commands).toEqual({
      lastHour: {
        total: 2,
        byState: { PENDING: 0, QUEUED: 0, DISPATCHED: 0, RUNNING: 0, COMPLETED: 1, FAILED: 1, CANCELLED: 0, TIMED_OUT: 0, SKIPPED: 0, EXPIRED: 0 },
      },
      lastDay: {
        total: 5,
        byState: { PENDING: 0, QUEUED: 0, DISPATCHED: 0, RUNNING: 0, COMPLETED: 5, FAILED: 0, CANCELLED: 0, TIMED_OUT: 0, SKIPPED: 0, EXPIRED: 0 },
      },
    });
    // The canned telemetry peer has 2 warning and 1 critical alert open.
    expect(res.body.alerts).toEqual({ firing: 3 });
    expect(Date.parse(res.body.generatedAt)).toBeGreaterThanOrEqual(before - 1_000);
  });

  it('keeps the 60 zero-filled minutes, oldest first', async () => {
    const { executionsPerMinute: minutes } = (await call<StatisticsView>({ token: admin })).body;
    expect(minutes).toEqual(COMMAND_STATISTICS.executionsPerMinute);
    expect(minutes).toHaveLength(60);
    const starts = minutes.map((m) => Date.parse(m.minute));
    expect(starts.slice(1).map((t, i) => t - starts[i]!)).toEqual(Array(59).fill(60_000));
    expect(minutes.filter((m) => m.count === 0)).toHaveLength(58);
    expect([minutes[5]!.count, minutes[59]!.count]).toEqual([2, 1]);
  });

  it('needs a signed-in caller, and for an API key the agents:read scope', async () => {
    expect((await call()).status).toBe(401);
    expect((await call({ apiKey: await apiKey(['commands:read']) })).status).toBe(403);
    expect((await call({ apiKey: await apiKey(['agents:read']) })).status).toBe(200);
  });

  it('answers 503 naming command while command says its database is down', async () => {
    statisticsUnavailable.add('command');
    try {
      const res = await call<{ statusCode: number; message: string }>({ token: admin });
      expect(res.status).toBe(503);
      expect(res.body.message).toBe('command service is unavailable');
    } finally {
      statisticsUnavailable.delete('command');
    }
    expect((await call({ token: admin })).status).toBe(200);
  });

  // Last: the agent-hub peer does not come back.
  it('answers 503 naming agent-hub while agent-hub is down, though command answers', async () => {
    await stack.hubPeer.stop();
    const res = await call<{ statusCode: number; message: string }>({ token: admin });
    expect(res.status).toBe(503);
    expect(res.body.message).toBe('agent-hub service is unavailable');
  });
});
