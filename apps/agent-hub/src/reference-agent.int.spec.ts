import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import {
  cancelReplySchema,
  dispatchReplySchema,
  executionOutputSchema,
  executionUpdateSchema,
  streams,
  subjects,
  type CommandDispatch,
} from '@fleetplane/contracts';
import {
  createFakeDocker,
  spawnProcess,
  startOtlpReceiver,
  processRunning,
  until,
  type ManagedProcess,
  type OtlpReceiver,
  SERVICE_NODE_ARGS,
} from '@fleetplane/test-harness';
import { startHubUnderTest, type HubUnderTest } from './testing/hub-process.js';
import { readStored } from './testing/jetstream-reader.js';

// The reference agent (@fleetplane/agent, built; a devDependency, so turbo builds it first) as its
// own process against the built hub (real PostgreSQL + NATS). It lives here rather than in
// packages/agent because a package never imports an app, and the hub fixtures are the app's.
const AGENT_DIR = dirname(dirname(createRequire(import.meta.url).resolve('@fleetplane/agent')));

const TRACE_ID = 'a3ce929d0e0e47364bf92f3577b34da6';

const spawnAgent = (env: Record<string, string>): ManagedProcess =>
  spawnProcess('agent', process.execPath, [...SERVICE_NODE_ARGS], {
    cwd: AGENT_DIR,
    // No OTLP metrics: without a collector the SDK's default exporter only delays exits.
    env: { OTEL_SERVICE_NAME: 'agent', OTEL_METRICS_EXPORTER: 'none', ...env },
  });

/** The exit code of a process that exits by itself (no signal is sent while it is still running). */
async function exitCodeOf(p: ManagedProcess): Promise<number | null> {
  await p.waitForOutput(/(?!)/, 15_000).catch(() => undefined); // never matches: rejects once the process exits
  return p.stop();
}

describe('reference agent (process) with the real hub', () => {
  let hub: HubUnderTest;
  let nc: NatsConnection;
  let agent: ManagedProcess;
  let token: string;
  let otlp: OtlpReceiver;
  /** The agent's own state directory (its execution journal): fresh per run, so fixed execution ids never collide with an earlier run's. */
  const stateDir = mkdtempSync(join(tmpdir(), 'fp-agent-state-'));
  const agentEnv = () => ({
    HUB_URL: hub.wsUrl,
    AGENT_ID: 'agent-it-1',
    AGENT_TOKEN: token,
    AGENT_SITE: 'it',
    AGENT_LABELS: 'role=test',
    AGENT_STATE_DIR: stateDir,
  });

  const dispatch = async (body: CommandDispatch, traceparent?: string) => {
    const h = headers();
    if (traceparent) h.set('traceparent', traceparent);
    const reply = await nc.request(subjects.agentCommands('agent-it-1'), JSON.stringify(body), { timeout: 5_000, headers: h });
    return dispatchReplySchema.parse(reply.json());
  };

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_BSP_SCHEDULE_DELAY: '200' };
    hub = await startHubUnderTest({ env: tracing });
    nc = await connect({ servers: hub.natsUrl });
    ({ token } = await hub.grpc.enrollAgent({ agentId: 'agent-it-1', site: 'it' }));
    agent = spawnAgent({ ...agentEnv(), ...tracing });
    await agent.waitForOutput(/connected to hub/);
  });

  afterAll(async () => {
    await agent?.stop();
    await nc?.close();
    await hub?.stop();
    await otlp?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const updatesOf = async (executionId: string, count: number, timeoutMs?: number) =>
    (await readStored(hub.natsUrl, streams.commandResults.name, subjects.executionUpdates(executionId), count, timeoutMs)).map((u) =>
      executionUpdateSchema.parse(u),
    );

  it('registers its inventory with the hub', async () => {
    const { agent: seen } = await hub.grpc.getAgent('agent-it-1');
    expect(seen).toMatchObject({ connected: true, site: 'it', os: process.platform, version: '0.1.0', labels: { role: 'test' } });
    expect(seen?.capabilities).toEqual(expect.arrayContaining(['exec', 'system.info']));
  });

  it('runs a NATS-dispatched exec echo hello: RUNNING then COMPLETED with stdout in COMMAND_RESULTS', async () => {
    const reply = await dispatch({ executionId: 'it-exec-1', commandId: 'it-cmd-1', verb: 'exec', params: { argv: ['echo', 'hello'] }, timeoutSeconds: 10 });
    expect(reply).toEqual({ accepted: true });
    const updates = (await readStored(hub.natsUrl, streams.commandResults.name, subjects.executionUpdates('it-exec-1'), 2)).map((u) =>
      executionUpdateSchema.parse(u),
    );
    expect(updates.map((u) => u.status)).toEqual(['RUNNING', 'COMPLETED']);
    expect(updates[1]).toMatchObject({ agentId: 'agent-it-1', exitCode: 0, stdout: 'hello\n', stderr: '' });
  });

  it("continues the dispatcher's trace through the hub and the agent, and back on the RESULT", async () => {
    const traceparent = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
    await dispatch({ executionId: 'it-exec-t', commandId: 'it-cmd-t', verb: 'exec', params: { argv: ['true'] }, timeoutSeconds: 10 }, traceparent);
    const inTrace = (all: ReturnType<OtlpReceiver['spans']>) => all.filter((s) => s.traceId === TRACE_ID);
    const spans = inTrace(
      await otlp.waitFor((all) => {
        const names = inTrace(all).map((s) => `${s.serviceName}:${s.name}`);
        return ['agent-hub:agent COMMAND send', 'agent:exec exec', 'agent-hub:agent RESULT receive'].every((n) => names.includes(n));
      }, 15_000),
    );
    const exec = spans.find((s) => s.serviceName === 'agent' && s.name === 'exec exec')!;
    const send = spans.find((s) => s.name === 'agent COMMAND send')!;
    expect(exec.parentSpanId).toBe(send.spanId);
    // Both RESULTs (RUNNING, COMPLETED) are children of the agent's exec span.
    expect(spans.filter((s) => s.name === 'agent RESULT receive').every((s) => s.parentSpanId === exec.spanId)).toBe(true);
  });

  it('does not hand its credential to the commands it runs', async () => {
    await dispatch({
      executionId: 'it-exec-2',
      commandId: 'it-cmd-2',
      verb: 'exec',
      params: { argv: ['sh', '-c', 'echo "[$AGENT_TOKEN]"'] },
      timeoutSeconds: 10,
    });
    const [, done] = (await readStored(hub.natsUrl, streams.commandResults.name, subjects.executionUpdates('it-exec-2'), 2)).map((u) =>
      executionUpdateSchema.parse(u),
    );
    expect(done).toMatchObject({ status: 'COMPLETED', stdout: '[]\n' });
    expect(agent.output()).not.toContain(token);
  });

  it('announces the docker verbs when docker is on its PATH, and runs docker.ps dispatched through the hub as argv', async () => {
    // No Docker engine here: the harness's fake docker records its argv and prints canned output.
    const docker = createFakeDocker();
    const line = '{"ID":"abc","Names":"web"}\n';
    const id = 'agent-it-docker';
    const { token: dockerToken } = await hub.grpc.enrollAgent({ agentId: id, site: 'it' });
    const dockerAgent = spawnAgent({
      ...agentEnv(),
      ...docker.env({ stdout: line }),
      AGENT_ID: id,
      AGENT_TOKEN: dockerToken,
      AGENT_STATE_DIR: mkdtempSync(join(tmpdir(), 'fp-agent-docker-')),
    });
    try {
      await dockerAgent.waitForOutput(/connected to hub/);
      const { agent: seen } = await hub.grpc.getAgent(id);
      expect(seen?.capabilities).toEqual(expect.arrayContaining(['docker.ps', 'docker.logs', 'compose.up']));
      const body: CommandDispatch = { executionId: 'it-docker-ps', commandId: 'it-cmd-docker', verb: 'docker.ps', params: { all: true }, timeoutSeconds: 10 };
      const reply = await nc.request(subjects.agentCommands(id), JSON.stringify(body), { timeout: 5_000 });
      expect(dispatchReplySchema.parse(reply.json())).toEqual({ accepted: true });
      const [running, done] = await updatesOf('it-docker-ps', 2);
      expect(running!.status).toBe('RUNNING');
      expect(done).toMatchObject({ agentId: id, status: 'COMPLETED', exitCode: 0, stdout: line });
      // The agent's telemetry also asks docker for its containers; the command's own call is this one.
      expect(docker.argvs()).toContainEqual(['ps', '--format', '{{json .}}', '--all']);
    } finally {
      await dockerAgent.stop();
      docker.remove();
    }
  });

  it('streams output while the process runs, and a CANCEL kills the process group and ends it CANCELLED', async () => {
    // `$$` is the shell's pid; `exec` makes sleep that same process, the leader of the group the agent kills.
    const executionId = 'it-exec-cancel';
    await dispatch({ executionId, commandId: 'it-cmd-c', verb: 'exec', params: { argv: ['sh', '-c', 'echo $$; exec sleep 600'] }, timeoutSeconds: 600 });
    const [chunk] = (await readStored(hub.natsUrl, streams.commandOutput.name, subjects.executionOutput(executionId), 1)).map((c) =>
      executionOutputSchema.parse(c),
    );
    expect(chunk).toMatchObject({ agentId: 'agent-it-1', stream: 'stdout', seq: 0, offset: 0 });
    const pid = Number(Buffer.from(chunk!.data, 'base64').toString().trim());
    expect(() => process.kill(pid, 0)).not.toThrow();

    const reply = await nc.request(subjects.agentCancel('agent-it-1'), JSON.stringify({ executionId, graceMs: 1_000 }), { timeout: 5_000 });
    expect(cancelReplySchema.parse(reply.json())).toEqual({ delivered: true });
    const [running, cancelled] = await updatesOf(executionId, 2);
    expect(running!.status).toBe('RUNNING');
    expect(cancelled).toMatchObject({ status: 'CANCELLED', stdout: `${pid}\n` });
    // Gone from this machine by the time the agent says so.
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }) as Error);
  });

  it('runs an execution at most once across a kill -9, and forgets results the hub acknowledged', async () => {
    const marker = join(stateDir, 'ran.txt');
    const executionId = 'it-exec-once';
    const once: CommandDispatch = {
      executionId,
      commandId: 'it-cmd-once',
      verb: 'exec',
      params: { argv: ['sh', '-c', `echo $$ >> ${marker}; exec sleep 600`] },
      timeoutSeconds: 600,
    };
    await dispatch(once);
    await updatesOf(executionId, 1); // RUNNING: the journal has it as accepted
    await agent.stop('SIGKILL');
    agent = spawnAgent(agentEnv());
    await agent.waitForOutput(/connected to hub/);
    // The dispatcher tries again (as after a lost reply): the restarted agent refuses to run it twice.
    expect(await dispatch(once)).toEqual({ accepted: true });
    const [, after] = await updatesOf(executionId, 2);
    expect(after).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/agent restarted during execution/) as unknown });
    const runs = readFileSync(marker, 'utf8').trim().split('\n');
    expect(runs).toHaveLength(1);
    // The killed agent left its process behind; the restarted one stopped it (its pid, start time and boot id were in the journal).
    expect(after).toMatchObject({ error: expect.stringMatching(/process group was still running and was stopped/) as unknown });
    await until('the orphaned process stopped', () => Promise.resolve(!processRunning(Number(runs[0]))), Boolean, 10_000);

    // it-exec-1's COMPLETED was acknowledged (RESULT_ACK): a restart re-sends nothing.
    const before = (await updatesOf('it-exec-1', 2)).length;
    await agent.stop();
    agent = spawnAgent(agentEnv());
    await agent.waitForOutput(/connected to hub/);
    await expect(updatesOf('it-exec-1', before + 1, 3_000)).rejects.toThrow(/only 2 of 3/);
  });

  it('reconnects after the hub restarts and runs commands again', async () => {
    const connects = () => agent.output().match(/connected to hub/g)?.length ?? 0;
    const before = connects();
    await hub.restart();
    // The agent spreads its first reconnect over 0-10 s and backs off at most 30 s: back by the time
    // the hub is up again plus one capped wait.
    await expect.poll(connects, { timeout: 45_000, interval: 200 }).toBe(before + 1);
    expect(await dispatch({ executionId: 'it-exec-3', commandId: 'it-cmd-3', verb: 'exec', params: { argv: ['echo', 'again'] }, timeoutSeconds: 10 })).toEqual({
      accepted: true,
    });
    const [, done] = (await readStored(hub.natsUrl, streams.commandResults.name, subjects.executionUpdates('it-exec-3'), 2)).map((u) =>
      executionUpdateSchema.parse(u),
    );
    expect(done).toMatchObject({ status: 'COMPLETED', stdout: 'again\n' });
  });

  it('stops with exit 1 and a clear message when the hub refuses its token (4401)', async () => {
    const refused = spawnAgent({ ...agentEnv(), AGENT_TOKEN: 'x'.repeat(43) });
    await refused.waitForOutput(/refused this agent's credential \(4401\)/);
    expect(await exitCodeOf(refused)).toBe(1);
  });

  it('stops with exit 1 naming the variable when its configuration is bad', async () => {
    const bad = spawnAgent({ ...agentEnv(), HUB_URL: 'http://nope' });
    await bad.waitForOutput(/HUB_URL: must start with ws:\/\/ or wss:\/\//);
    expect(await exitCodeOf(bad)).toBe(1);
  });
});
