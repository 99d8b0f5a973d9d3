import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfra, type Infra } from '@fleetplane/test-harness';
import { startFleet, type Fleet } from '../fleet.js';
import { GatewayClient } from '../gateway-client.js';

// Fleet commands through every real process: the REST API, command, agent-hub and the
// reference agent — streamed output, cancel that kills the process, and an offline agent
// that gets its command when it connects.
const admin = { email: 'admin@fleet-e2e.test', password: 'correct horse battery staple' };
const AGENT = 'fleet-e2e-agent';
const LATE = 'fleet-e2e-late';

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('fleet commands, end to end', () => {
  let infra: Infra;
  let fleet: Fleet;
  let gateway: GatewayClient;
  let lateToken: string;

  beforeAll(async () => {
    infra = await startInfra();
    fleet = await startFleet({ infra, admin, jwtSecret: 'fleet-e2e-secret-that-is-long-enough-0123' });
    gateway = new GatewayClient(fleet.gatewayUrl);
    await gateway.login(admin.email, admin.password);
    const { token } = await gateway.enrollAgent(AGENT, 'e2e');
    await fleet.startAgent({ id: AGENT, token });
    await gateway.waitForAgent(AGENT);
    ({ token: lateToken } = await gateway.enrollAgent(LATE, 'e2e'));
  });

  afterAll(async () => {
    await fleet?.stop();
    await infra?.stop();
  });

  it('streams output while a command runs, and cancel kills the process on the agent', async () => {
    // `$$` is the shell's pid; `exec` makes sleep that process, so the pid is the one to check.
    const c = await gateway.submitCommand({ verb: 'exec', params: { argv: ['sh', '-c', 'echo $$; exec sleep 600'] }, targets: [AGENT], timeoutSeconds: 900 });
    const executionId = c.executions[0]!.id;
    const seen = await until(
      () => gateway.output(c.id, executionId),
      (o) => o.text.endsWith('\n'),
    );
    const pid = Number(seen.text.trim());
    expect(seen.complete).toBe(false);
    expect(() => process.kill(pid, 0)).not.toThrow();

    const res = await gateway.cancelCommand(c.id);
    expect(res).toMatchObject({ cancelled: 0, stopping: 1 });
    const done = await gateway.waitForCommand(c.id, 20_000);
    expect(done.state).toBe('CANCELLED');
    expect(done.executions[0]).toMatchObject({ state: 'CANCELLED' });
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }) as Error);
    expect((await gateway.output(c.id, executionId)).complete).toBe(true);
  });

  it('keeps a command for an offline agent waiting, and runs it when the agent connects', async () => {
    const c = await gateway.submitCommand({ verb: 'exec', params: { argv: ['echo', 'late'] }, targets: [LATE] });
    const waiting = await until(
      () => gateway.getCommand(c.id),
      (x) => x.executions[0]?.reason === 'agent offline',
    );
    expect(waiting.state).toBe('QUEUED');
    await fleet.startAgent({ id: LATE, token: lateToken });
    const done = await gateway.waitForCommand(c.id, 30_000);
    expect(done.executions[0]).toMatchObject({ state: 'COMPLETED', exitCode: 0, stdout: 'late\n' });
  });
});
