import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startInfra, startOtlpReceiver, type Infra, type OtlpReceiver } from '@fleetplane/test-harness';
import { startFleet, type Fleet } from '../fleet.js';
import { GatewayClient } from '../gateway-client.js';

// The walking skeleton through real processes: gateway → command (gRPC) →
// Postgres + BullMQ → NATS → agent-hub → agent (WebSocket) → JetStream → command.
const admin = { email: 'admin@e2e.test', password: 'correct horse battery staple' };
const AGENT = 'e2e-agent';

describe('command path, end to end', () => {
  let otlp: OtlpReceiver;
  let infra: Infra;
  let fleet: Fleet;
  let gateway: GatewayClient;

  beforeAll(async () => {
    [otlp, infra] = await Promise.all([startOtlpReceiver(), startInfra()]);
    fleet = await startFleet({ infra, admin, jwtSecret: 'e2e-secret-that-is-long-enough-0123456789', otlpEndpoint: otlp.url });
    gateway = new GatewayClient(fleet.gatewayUrl);
    await gateway.login(admin.email, admin.password);
    const { token } = await gateway.enrollAgent(AGENT, 'e2e');
    await fleet.startAgent({ id: AGENT, token });
    await gateway.waitForAgent(AGENT);
  });

  afterAll(async () => {
    await fleet?.stop();
    await Promise.all([infra?.stop(), otlp?.stop()]);
  });

  it('runs echo hello on the agent and shows COMPLETED with its stdout', async () => {
    const submitted = await gateway.submitCommand({ verb: 'exec', params: { argv: ['echo', 'hello'] }, targets: [AGENT] });
    expect(submitted.id).toMatch(/[0-9a-f-]{36}/);
    const done = await gateway.waitForCommand(submitted.id);
    expect(done.state).toBe('COMPLETED');
    expect(done.executions).toHaveLength(1);
    expect(done.executions[0]).toMatchObject({ agentId: AGENT, state: 'COMPLETED', exitCode: 0, stdout: 'hello\n', stderr: '' });
  });

  it('passes argv without a shell: metacharacters stay literal', async () => {
    const c = await gateway.submitCommand({ verb: 'exec', params: { argv: ['echo', 'a; rm -rf / && $(id)'] }, targets: [AGENT] });
    const done = await gateway.waitForCommand(c.id);
    expect(done.executions[0]).toMatchObject({ state: 'COMPLETED', stdout: 'a; rm -rf / && $(id)\n' });
  });

  it('reports a failing process with its exit code and stderr', async () => {
    const c = await gateway.submitCommand({ verb: 'exec', params: { argv: ['ls', '/definitely/not/here'] }, targets: [AGENT] });
    const done = await gateway.waitForCommand(c.id);
    expect(done.state).toBe('FAILED');
    expect(done.executions[0]!.exitCode).not.toBe(0);
    expect(done.executions[0]!.stderr).toMatch(/not/);
  });

  it('covers gateway, command, agent-hub and the agent with one trace id', async () => {
    const c = await gateway.submitCommand({ verb: 'exec', params: { argv: ['echo', 'traced'] }, targets: [AGENT] });
    await gateway.waitForCommand(c.id);
    const wanted = ['gateway', 'command', 'agent-hub', 'agent'];
    const servicesByTrace = (spans: ReturnType<OtlpReceiver['spans']>) => {
      const byTrace = new Map<string, Set<string>>();
      for (const s of spans) {
        if (!byTrace.has(s.traceId)) byTrace.set(s.traceId, new Set());
        byTrace.get(s.traceId)!.add(s.serviceName);
      }
      return byTrace;
    };
    const spans = await otlp.waitFor((all) => [...servicesByTrace(all).values()].some((names) => wanted.every((w) => names.has(w))), 20_000);
    const [traceId, names] = [...servicesByTrace(spans).entries()].find(([, n]) => wanted.every((w) => n.has(w)))!;
    expect([...names].sort()).toEqual(expect.arrayContaining(wanted));
    // The trace starts at the gateway's HTTP server span for this request.
    const root = spans.find((s) => s.traceId === traceId && !s.parentSpanId);
    expect(root?.serviceName).toBe('gateway');
  });

  it('answers 401 without a token, 400 naming the field, 404 for an unknown agent', async () => {
    const post = (body: unknown, auth = true) =>
      fetch(`${fleet.gatewayUrl}/api/v1/commands`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(auth ? { authorization: `Bearer ${(gateway as unknown as { accessToken: string }).accessToken}` } : {}),
        },
        body: JSON.stringify(body),
      });
    expect((await post({ verb: 'exec', params: { argv: ['true'] }, targets: [AGENT] }, false)).status).toBe(401);
    const bad = await post({ verb: 'exec', params: { argv: 'echo hello' }, targets: [AGENT] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('params.argv');
    const missing = await post({ verb: 'exec', params: { argv: ['true'] } });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(await missing.json())).toContain('targets');
    const unknown = await post({ verb: 'exec', params: { argv: ['true'] }, targets: ['no-such-agent'] });
    expect(unknown.status).toBe(404);
  });

  it('disconnects an agent that sends garbage with a protocol error, and keeps serving the others', async () => {
    const ws = new WebSocket(fleet.hubWsUrl);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('this is not json');
    expect(await closed).toBe(1002);
    const c = await gateway.submitCommand({ verb: 'exec', params: { argv: ['echo', 'still here'] }, targets: [AGENT] });
    expect((await gateway.waitForCommand(c.id)).executions[0]!.stdout).toBe('still here\n');
  });
});
