import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import {
  AgentCloseCode,
  MAX_AGENT_FRAME_BYTES,
  dispatchReplySchema,
  executionUpdateSchema,
  streams,
  subjects,
  telemetrySampleSchema,
  type CommandDispatch,
} from '@fleetplane/contracts';
import { HealthClient } from '@fleetplane/service-kit/grpc';
import { TestAgentSocket } from './testing/agent-socket.js';
import { startHubUnderTest, type HubUnderTest } from './testing/hub-process.js';
import { readStored } from './testing/jetstream-reader.js';

// The built hub as its own process, with real PostgreSQL and NATS (JetStream).
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const HUB_SERVICE = 'fleetplane.agenthub.v1.AgentHubService';
const inventory = { site: '', os: 'linux', kernel: '6', version: '1', capabilities: [], containerEngine: '', labels: {} };

describe('agent-hub (process, real PostgreSQL + NATS)', () => {
  let hub: HubUnderTest;
  let nc: NatsConnection;
  const tokens = new Map<string, string>();

  const dispatch = async (agentId: string, executionId: string) => {
    const h = headers();
    h.set('traceparent', `00-${TRACE_ID}-00f067aa0ba902b7-01`);
    const body: CommandDispatch = { executionId, commandId: `cmd-${executionId}`, verb: 'exec', params: { argv: ['echo', 'hello'] }, timeoutSeconds: 30 };
    const reply = await nc.request(subjects.agentCommands(agentId), JSON.stringify(body), { timeout: 5_000, headers: h });
    return dispatchReplySchema.parse(reply.json());
  };

  beforeAll(async () => {
    hub = await startHubUnderTest({ env: { HELLO_TIMEOUT_MS: '1000' } });
    nc = await connect({ servers: hub.natsUrl });
    for (const id of ['web-1', 'web-2', 'bad-1', 'bad-2', 'bad-3', 'twin-1']) {
      tokens.set(id, (await hub.grpc.enrollAgent({ agentId: id, site: id.startsWith('web') ? 'par' : 'lon' })).token);
    }
  });

  afterAll(async () => {
    await nc?.close();
    await hub?.stop();
  });

  it('enrolls over gRPC: a 32-byte token shown once, the agent listed as not connected', async () => {
    const res = await hub.grpc.enrollAgent({ agentId: 'fresh-1', site: 'ams', labels: { role: 'db' } });
    expect(Buffer.from(res.token, 'base64url')).toHaveLength(32);
    expect(res.agent).toMatchObject({ id: 'fresh-1', site: 'ams', labels: { role: 'db' }, connected: false, lastSeenAt: '' });
    const got = await hub.grpc.getAgent('fresh-1');
    expect(JSON.stringify(got)).not.toContain(res.token);
  });

  it('refuses an agent id that is not subject-safe with INVALID_ARGUMENT naming agent_id', async () => {
    await expect(hub.grpc.enrollAgent({ agentId: 'a.b.>' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^agent_id: /) as unknown,
    });
  });

  it('answers grpc.health.v1 Check with SERVING for the server and for AgentHubService', async () => {
    const health = new HealthClient(hub.grpcAddress);
    try {
      expect(await health.check('')).toBe('SERVING');
      expect(await health.check(HUB_SERVICE)).toBe('SERVING');
    } finally {
      health.close();
    }
  });

  it('stores each of many concurrent HELLOs (one batched statement) with its own inventory and session, and routes to each', async () => {
    const ids = Array.from({ length: 24 }, (_, i) => `batch-${i}`);
    const creds = await Promise.all(ids.map(async (id) => [id, (await hub.grpc.enrollAgent({ agentId: id })).token] as const));
    const sockets = await Promise.all(
      creds.map(async ([id, token], i) => {
        const s = await TestAgentSocket.open(hub.wsUrl);
        const caps = i % 2 ? ['exec', 'docker'] : [];
        s.sendFrame({ type: 'HELLO', agentId: id, token, inventory: { ...inventory, kernel: `6.${i}`, capabilities: caps, labels: { n: String(i) } } });
        return { id, socket: s, sessionId: (await s.next('HELLO_ACK')).sessionId, caps, i };
      }),
    );
    try {
      for (const { id, caps, i } of sockets) {
        expect((await hub.grpc.getAgent(id)).agent).toMatchObject({
          connected: true,
          kernel: `6.${i}`,
          capabilities: caps,
          labels: { n: String(i) },
          protocolVersion: 1,
        });
      }
      expect(new Set(sockets.map((s) => s.sessionId)).size).toBe(ids.length);
      const replies = await Promise.all(sockets.map(({ id }) => dispatch(id, `exec-${id}`)));
      expect(replies).toEqual(ids.map(() => ({ accepted: true })));
      for (const { socket, id } of sockets) expect((await socket.next('COMMAND')).executionId).toBe(`exec-${id}`);
    } finally {
      for (const { socket } of sockets) socket.close();
    }
  });

  it('answers GetAgent of an unknown id with NOT_FOUND', async () => {
    await expect(hub.grpc.getAgent('nobody-here')).rejects.toMatchObject({ code: status.NOT_FOUND, details: 'agent nobody-here not found' });
  });

  it('accepts a HELLO, stores inventory and presence, routes a NATS command to the socket and stores its RESULT', async () => {
    const agent = await TestAgentSocket.connect(hub.wsUrl, 'web-1', tokens.get('web-1')!, 'par');
    const { agent: seen } = await hub.grpc.getAgent('web-1');
    expect(seen).toMatchObject({ connected: true, os: 'linux', kernel: '6.1.0', capabilities: ['exec'], labels: { role: 'test' } });
    expect(seen?.lastSeenAt).not.toBe('');

    const replyP = dispatch('web-1', 'exec-1');
    const command = await agent.next('COMMAND');
    expect(command).toMatchObject({ executionId: 'exec-1', commandId: 'cmd-exec-1', verb: 'exec', params: { argv: ['echo', 'hello'] }, timeoutSeconds: 30 });
    expect(command.trace?.traceparent).toContain(TRACE_ID);
    expect(await replyP).toEqual({ accepted: true });

    agent.sendFrame({ type: 'RESULT', executionId: 'exec-1', status: 'RUNNING', trace: command.trace! });
    // agentId in the frame would be ignored anyway: the schema has none, the hub stamps the socket's.
    agent.sendFrame({ type: 'RESULT', executionId: 'exec-1', status: 'COMPLETED', exitCode: 0, stdout: 'hello\n', stderr: '', trace: command.trace! });
    const stored = (await readStored(hub.natsUrl, streams.commandResults.name, subjects.executionUpdates('exec-1'), 2)).map((m) =>
      executionUpdateSchema.parse(m),
    );
    expect(stored.map((u) => u.status)).toEqual(['RUNNING', 'COMPLETED']);
    expect(stored[1]).toMatchObject({ executionId: 'exec-1', agentId: 'web-1', exitCode: 0, stdout: 'hello\n', stderr: '' });
    agent.close();
  });

  it('stores TELEMETRY in the TELEMETRY stream under the socket agent id', async () => {
    const agent = await TestAgentSocket.connect(hub.wsUrl, 'web-2', tokens.get('web-2')!, 'par');
    agent.sendFrame({
      type: 'TELEMETRY',
      sample: { cpuPercent: 12.5, memoryUsedBytes: 1, memoryTotalBytes: 2, load: [0.1, 0.2, 0.3], diskUsedBytes: 3, diskTotalBytes: 4, uptimeSeconds: 5 },
    });
    const [sample] = await readStored(hub.natsUrl, streams.telemetry.name, subjects.telemetry('web-2'), 1);
    expect(telemetrySampleSchema.parse(sample)).toMatchObject({ agentId: 'web-2', cpuPercent: 12.5, load: [0.1, 0.2, 0.3] });
    agent.close();
  });

  it('closes a bad token and an unknown agent with 4401 and the same reason', async () => {
    const wrong = await TestAgentSocket.open(hub.wsUrl);
    wrong.sendFrame({ type: 'HELLO', agentId: 'web-1', token: 'x'.repeat(43), inventory });
    const unknown = await TestAgentSocket.open(hub.wsUrl);
    unknown.sendFrame({ type: 'HELLO', agentId: 'ghost', token: 'x'.repeat(43), inventory });
    const [a, b] = await Promise.all([wrong.closed, unknown.closed]);
    expect(a).toEqual({ code: AgentCloseCode.Unauthorized, reason: 'unauthorized' });
    expect(b).toEqual(a);
  });

  it('closes a socket that sends no HELLO within HELLO_TIMEOUT_MS with 4408', async () => {
    const silent = await TestAgentSocket.open(hub.wsUrl);
    expect((await silent.closed).code).toBe(AgentCloseCode.HelloTimeout);
  });

  it('closes only the offending connection on non-JSON (1002), unknown type (1002) and an oversize frame (1009)', async () => {
    const good = await TestAgentSocket.connect(hub.wsUrl, 'web-1', tokens.get('web-1')!, 'par');
    const [notJson, unknownType, oversize] = await Promise.all(
      ['bad-1', 'bad-2', 'bad-3'].map((id) => TestAgentSocket.connect(hub.wsUrl, id, tokens.get(id)!, 'lon')),
    );
    notJson!.sendRaw('this is not json');
    unknownType!.sendRaw(JSON.stringify({ v: 1, id: 'x1', ts: new Date().toISOString(), type: 'REBOOT' }));
    oversize!.sendRaw(Buffer.alloc(MAX_AGENT_FRAME_BYTES + 1, 0x20));

    expect((await notJson!.closed).code).toBe(AgentCloseCode.ProtocolError);
    expect(notJson!.frames).toMatchObject([{ type: 'ERROR', code: 'PROTOCOL_ERROR', message: 'frame is not JSON' }]);
    expect((await unknownType!.closed).code).toBe(AgentCloseCode.ProtocolError);
    expect(unknownType!.frames[0]).toMatchObject({ type: 'ERROR', message: expect.stringMatching(/^type:/) as unknown });
    expect((await oversize!.closed).code).toBe(AgentCloseCode.MessageTooBig);

    expect(good.isOpen).toBe(true);
    const replyP = dispatch('web-1', 'exec-2');
    expect((await good.next('COMMAND')).executionId).toBe('exec-2');
    expect(await replyP).toEqual({ accepted: true });
    good.close();
  });

  it('lets the newest connection of an agent win: the older is closed with 4409 and commands reach the newer', async () => {
    const older = await TestAgentSocket.connect(hub.wsUrl, 'twin-1', tokens.get('twin-1')!);
    const newer = await TestAgentSocket.connect(hub.wsUrl, 'twin-1', tokens.get('twin-1')!);
    expect((await older.closed).code).toBe(AgentCloseCode.Replaced);
    expect((await hub.grpc.getAgent('twin-1')).agent?.connected).toBe(true);
    const replyP = dispatch('twin-1', 'exec-3');
    expect((await newer.next('COMMAND')).executionId).toBe('exec-3');
    expect(await replyP).toEqual({ accepted: true });
    newer.close();
    await newer.closed;
  });

  it('lets the newest connection win across hub instances (agent.connected over NATS)', async () => {
    const second = await hub.addInstance();
    const onFirst = await TestAgentSocket.connect(hub.wsUrl, 'twin-1', tokens.get('twin-1')!);
    const onSecond = await TestAgentSocket.connect(second.wsUrl, 'twin-1', tokens.get('twin-1')!);
    expect((await onFirst.closed).code).toBe(AgentCloseCode.Replaced);
    // The first instance's cleanup must not mark the agent offline: the session is the second one's now.
    await expect.poll(async () => (await hub.grpc.getAgent('twin-1')).agent?.connected, { timeout: 5_000 }).toBe(true);
    const replyP = dispatch('twin-1', 'exec-5');
    expect((await onSecond.next('COMMAND')).executionId).toBe('exec-5');
    expect(await replyP).toEqual({ accepted: true });
    onSecond.close();
    await onSecond.closed;
    await second.process.stop();
  });

  it('on graceful shutdown closes its sockets with 1001 and clears their presence', async () => {
    const doomed = await hub.addInstance();
    const agent = await TestAgentSocket.connect(doomed.wsUrl, 'web-2', tokens.get('web-2')!, 'par');
    expect((await hub.grpc.getAgent('web-2')).agent?.connected).toBe(true);
    expect(await doomed.process.stop()).toBe(0);
    expect((await agent.closed).code).toBe(AgentCloseCode.GoingAway);
    expect((await hub.grpc.getAgent('web-2')).agent?.connected).toBe(false);
  });

  it('closes a session whose credential was rotated, at its next heartbeat, with 4401', async () => {
    const { token } = await hub.grpc.enrollAgent({ agentId: 'rotated-1' });
    const agent = await TestAgentSocket.connect(hub.wsUrl, 'rotated-1', token);
    const { token: fresh } = await hub.grpc.enrollAgent({ agentId: 'rotated-1' });
    agent.sendFrame({ type: 'HEARTBEAT' });
    expect(await agent.closed).toEqual({ code: AgentCloseCode.Unauthorized, reason: 'unauthorized' });
    const again = await TestAgentSocket.connect(hub.wsUrl, 'rotated-1', fresh);
    again.sendFrame({ type: 'HEARTBEAT' });
    // Frames are handled in order: once this sample is stored, the heartbeat passed the credential check.
    again.sendFrame({
      type: 'TELEMETRY',
      sample: { cpuPercent: 1, memoryUsedBytes: 1, memoryTotalBytes: 2, load: [0, 0, 0], diskUsedBytes: 1, diskTotalBytes: 2, uptimeSeconds: 1 },
    });
    await readStored(hub.natsUrl, streams.telemetry.name, subjects.telemetry('rotated-1'), 1);
    expect(again.isOpen).toBe(true);
    expect((await hub.grpc.getAgent('rotated-1')).agent?.connected).toBe(true);
    again.close();
  });

  it('clears presence on close, so a dispatch finds no responders', async () => {
    const agent = await TestAgentSocket.connect(hub.wsUrl, 'web-2', tokens.get('web-2')!, 'par');
    agent.close();
    await agent.closed;
    await expect.poll(async () => (await hub.grpc.getAgent('web-2')).agent?.connected, { timeout: 5_000 }).toBe(false);
    await expect(dispatch('web-2', 'exec-4')).rejects.toThrow(/503|no responders/i);
  });

  it('lists agents by site and connection, in pages', async () => {
    const agent = await TestAgentSocket.connect(hub.wsUrl, 'web-1', tokens.get('web-1')!, 'par');
    const connectedPar = await hub.grpc.listAgents({ site: 'par', connectedOnly: true });
    expect(connectedPar.agents.map((a) => a.id)).toEqual(['web-1']);
    const p1 = await hub.grpc.listAgents({ pageSize: 2 });
    const p2 = await hub.grpc.listAgents({ pageSize: 2, pageToken: p1.nextPageToken });
    expect(p1.agents).toHaveLength(2);
    expect(p2.agents[0]!.id > p1.agents[1]!.id).toBe(true);
    await expect(hub.grpc.listAgents({ pageToken: 'forged' })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    agent.close();
  });

  it('exposes readiness for postgres and nats, and the hub metrics', async () => {
    const ready = await (await fetch(`${hub.httpUrl}/ready`)).json();
    expect(JSON.stringify(ready)).toMatch(/postgres/);
    expect(JSON.stringify(ready)).toMatch(/nats/);
    // Off the public port (the agents' WebSocket endpoint): on the hub's own metrics port only.
    expect((await fetch(`${hub.httpUrl}/metrics`)).status).toBe(404);
    const metrics = await (await fetch(hub.metricsUrl)).text();
    expect(metrics).toMatch(/fleetplane_agent_hub_frames_received_total\{[^}]*type="HELLO"/);
    expect(metrics).toMatch(/fleetplane_agent_hub_protocol_errors_total\{[^}]*reason="not_json"/);
    expect(metrics).toMatch(/fleetplane_agent_hub_dispatches_total\{[^}]*outcome="accepted"/);
    expect(metrics).toMatch(/fleetplane_agent_hub_connected_agents/);
  });

  it('never writes a credential to its logs', () => {
    const logs = hub.process.output();
    expect(logs).toMatch(/agent web-1 connected/);
    for (const token of tokens.values()) expect(logs).not.toContain(token);
  });

  // Last: PostgreSQL does not come back.
  it('while PostgreSQL is down reports NOT_SERVING (Check and Watch) and answers GetAgent with UNAVAILABLE, never UNKNOWN', async () => {
    const health = new HealthClient(hub.grpcAddress);
    const watch = health.watch(HUB_SERVICE);
    try {
      await watch.until('SERVING');
      await hub.stopPostgres();
      await watch.until('NOT_SERVING', 5_000);
      expect(await health.check('')).toBe('NOT_SERVING');
      await expect(hub.grpc.getAgent('web-1')).rejects.toMatchObject({ code: status.UNAVAILABLE });
    } finally {
      watch.stop();
      health.close();
    }
  });
});
