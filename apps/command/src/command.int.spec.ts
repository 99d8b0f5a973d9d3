import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import {
  cancelRequestSchema,
  commandDispatchSchema,
  eventSchemas,
  subjects,
  verbParamSchemas,
  type CommandDispatch,
  type EventPayload,
  type ExecutionUpdate,
} from '@fleetplane/contracts';
import { agentHubV1, commandV1, createGrpcClient, serveGrpc, unary } from '@fleetplane/contracts/grpc';
import { deployMigrations } from '@fleetplane/prisma-migrate';
import { HealthClient } from '@fleetplane/service-kit/grpc';
import {
  freePort,
  spawnProcess,
  startInfra,
  startOtlpReceiver,
  startTcpBalancer,
  type Infra,
  type ManagedProcess,
  type OtlpReceiver,
  SERVICE_NODE_ARGS,
} from '@fleetplane/test-harness';

// The built service as its own process, against real PostgreSQL, Redis and NATS.
// agent-hub is not ours: a real gRPC server answers SelectAgents over a fixed fleet,
// and NATS subscribers on the agents' command subjects play the hubs holding them.

const appDir = new URL('../', import.meta.url).pathname;
const COMMAND_SERVICE = `fleetplane.command.v1.${commandV1.COMMAND_SERVICE_NAME}`;
/** Output stored per execution and stream, small so the cap shows. */
const OUTPUT_CAP = 4096;

type CommandClient = Awaited<ReturnType<typeof createGrpcClient>>;
type FleetAgent = agentHubV1.SelectedAgent & { labels: Record<string, string>; os: string };

const ALL_VERBS = Object.keys(verbParamSchemas);
const NO_DOCKER = ALL_VERBS.filter((v) => !v.startsWith('docker.') && !v.startsWith('compose.'));
const fleetAgent = (id: string, site = 'test', labels: Record<string, string> = {}, capabilities = ALL_VERBS, connected = true): FleetAgent => ({
  id,
  site,
  capabilities,
  connected,
  labels,
  os: 'linux',
});
/** The registry the fake agent-hub answers from: five single agents (one that never connects), and six web servers in eu (one without docker). */
const FLEET: FleetAgent[] = [
  fleetAgent('agent-1'),
  fleetAgent('agent-offline', 'test', {}, ALL_VERBS, false),
  fleetAgent('agent-away', 'test', {}, ALL_VERBS, false),
  fleetAgent('agent-slow'),
  fleetAgent('agent-prio'),
  fleetAgent('agent-crash'),
  ...[1, 2, 3, 4, 5].map((n) => fleetAgent(`web-${n}`, 'eu', { role: 'web' })),
  fleetAgent('web-6', 'eu', { role: 'web' }, NO_DOCKER),
];

function matches(a: FleetAgent, s: agentHubV1.AgentSelector): boolean {
  if (s.agentIds.length > 0 && !s.agentIds.includes(a.id)) return false;
  if (s.site && a.site !== s.site) return false;
  if (s.os && a.os !== s.os) return false;
  if (Object.entries(s.labels).some(([k, v]) => a.labels[k] !== v)) return false;
  if (s.capabilities.some((c) => !a.capabilities.includes(c))) return false;
  if (s.connectedOnly && !a.connected) return false;
  if (s.disconnectedOnly && a.connected) return false;
  return true;
}

/** A real AgentRegistryService over FLEET, streaming the selection in pages of two (so paging shows). */
function startFakeAgentHub(): Promise<{ address: string; stop: () => Promise<void> }> {
  const unimplemented = (_: unknown, cb: grpc.sendUnaryData<unknown>) => cb({ code: grpc.status.UNIMPLEMENTED, details: 'not in this test' });
  return serveGrpc(
    'agentHub',
    { getAgent: unimplemented, enrollAgent: unimplemented, listAgents: unimplemented },
    {
      [agentHubV1.AGENT_REGISTRY_SERVICE_NAME]: {
        countAgents: unimplemented,
        summarizeAgents: unimplemented,
        selectAgents: (call: grpc.ServerWritableStream<agentHubV1.SelectAgentsRequest, agentHubV1.SelectAgentsResponse>) => {
          const hit = FLEET.filter((a) => matches(a, call.request.selector!)).map(({ id, site, capabilities, connected }) => ({
            id,
            site,
            capabilities,
            connected,
          }));
          for (let i = 0; i < hit.length; i += 2) call.write({ agents: hit.slice(i, i + 2) });
          call.end();
        },
      },
    },
  );
}

/** Plays the hub holding one agent's socket: accepts every dispatch and remembers it (with its trace header). */
class FakeHub {
  readonly received: { dispatch: CommandDispatch; traceparent: string }[] = [];
  /** Execution ids a CANCEL was asked for. */
  readonly cancels: string[] = [];
  private waiters: (() => void)[] = [];
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;

  constructor(nc: NatsConnection, agentId: string) {
    nc.subscribe(subjects.agentCommands(agentId), {
      callback: (err, msg) => {
        if (!err) void this.handle(msg);
      },
    });
    nc.subscribe(subjects.agentCancel(agentId), {
      callback: (err, msg) => {
        if (err) return;
        this.cancels.push(cancelRequestSchema.parse(msg.json()).executionId);
        msg.respond(JSON.stringify({ delivered: true }));
      },
    });
  }

  /** Holds replies (the worker stays busy) until release(). */
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }
  release(): void {
    this.open();
  }

  async waitFor(pred: (d: CommandDispatch) => boolean, timeoutMs = 15_000): Promise<{ dispatch: CommandDispatch; traceparent: string }> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find((r) => pred(r.dispatch));
      if (hit) return hit;
      if (Date.now() > until) throw new Error('dispatch not received in time');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  private async handle(msg: Msg): Promise<void> {
    const dispatch = commandDispatchSchema.parse(msg.json());
    this.received.push({ dispatch, traceparent: msg.headers?.get('traceparent') ?? '' });
    for (const w of this.waiters.splice(0)) w();
    await this.gate;
    msg.respond(JSON.stringify({ accepted: true }));
  }
}

async function eventually<T>(fn: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (check(v)) return v;
    if (Date.now() > until) throw new Error(`condition not met in time; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('command service', () => {
  let infra: Infra;
  let otlp: OtlpReceiver;
  let hub: Awaited<ReturnType<typeof startFakeAgentHub>>;
  let service: ManagedProcess;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let client: CommandClient;
  let databaseUrl: string;
  let httpPort: number;
  let grpcPort: number;
  let health: HealthClient;
  let agent1: FakeHub;
  let prio: FakeHub;
  /** Every execution.updated the service announced, in arrival order. */
  const announced: EventPayload<'execution.updated'>[] = [];

  beforeAll(async () => {
    [infra, otlp, hub] = await Promise.all([startInfra(), startOtlpReceiver(), startFakeAgentHub()]);
    databaseUrl = await infra.postgres.createDatabase('command');
    await deployMigrations({ schemaPath: join(appDir, 'prisma/schema.prisma'), migrationsDir: join(appDir, 'prisma/migrations'), databaseUrl });
    httpPort = await freePort();
    grpcPort = await freePort();
    service = spawnProcess('command', process.execPath, [...SERVICE_NODE_ARGS], {
      cwd: appDir,
      env: {
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(grpcPort),
        DATABASE_URL: databaseUrl,
        NATS_URL: infra.nats.url,
        REDIS_URL: infra.redis.url,
        AGENT_HUB_GRPC_URL: hub.address,
        // One at a time, so the dispatch order shows the queue's priorities.
        DISPATCH_CONCURRENCY: '1',
        OUTPUT_CAP_BYTES: String(OUTPUT_CAP),
        // Short, so the recovery of what a killed instance left unqueued shows within the test.
        QUEUE_RECOVERY_SECONDS: '2',
        OTEL_SERVICE_NAME: 'command',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
    });
    await service.waitForHttp(`http://127.0.0.1:${httpPort}/ready`, 30_000);
    nc = await connect({ servers: infra.nats.url });
    js = jetstream(nc);
    agent1 = new FakeHub(nc, 'agent-1');
    prio = new FakeHub(nc, 'agent-prio');
    void (async () => {
      for await (const m of nc.subscribe(subjects.event('execution.updated'))) announced.push(eventSchemas['execution.updated'].parse(m.json()));
    })();
    await nc.flush();
    client = await createGrpcClient('command', `127.0.0.1:${grpcPort}`);
    health = new HealthClient(`127.0.0.1:${grpcPort}`);
  });

  afterAll(async () => {
    for (const w of watches) w.stop();
    health?.close();
    client?.close();
    await nc?.close();
    const code = await service?.stop();
    await Promise.all([infra?.stop(), otlp?.stop(), hub?.stop()]);
    // Graceful shutdown: workers closed, NATS drained, exit 0.
    expect(code).toBe(0);
  });

  const submit = (req: Partial<commandV1.SubmitCommandRequest>) =>
    unary<commandV1.SubmitCommandResponse>(client, 'submitCommand', { requestedBy: 'tester', ...req }).then((r) => r.command!);
  const get = (commandId: string) => unary<commandV1.GetCommandResponse>(client, 'getCommand', { commandId }).then((r) => r.command!);
  const executions = (commandId: string, req: Partial<commandV1.ListExecutionsRequest> = {}) =>
    unary<commandV1.ListExecutionsResponse>(client, 'listExecutions', { commandId, ...req });
  const echo = (targets: string[], extra: Partial<commandV1.SubmitCommandRequest> = {}) =>
    submit({ verb: 'exec', paramsJson: JSON.stringify({ argv: ['echo', 'hello'] }), targetAgentIds: targets, ...extra });
  const onSite = (site: string, extra: Partial<commandV1.SubmitCommandRequest> = {}) =>
    submit({
      verb: 'exec',
      paramsJson: JSON.stringify({ argv: ['uptime'] }),
      selector: { agentIds: [], site, labels: { role: 'web' }, capabilities: [], os: '' },
      ...extra,
    });
  const report = (u: Omit<ExecutionUpdate, 'at'>) =>
    js.publish(subjects.executionUpdates(u.executionId), JSON.stringify({ ...u, at: new Date().toISOString() }));
  const stateOf = (id: string) => executions(id).then((r) => r.executions[0]!);
  const countOf = (c: commandV1.Command, state: string) => c.summary!.byState.find((s) => String(s.state) === `COMMAND_STATE_${state}`)?.count ?? 0;
  /** The states announced for one execution, once `last` is among them. */
  const announcedStates = (executionId: string, last: string) =>
    eventually(
      () => Promise.resolve(announced.filter((a) => a.executionId === executionId)),
      (list) => list.some((a) => a.state === last),
    ).then((list) => list.map((a) => (a.exitCode === undefined ? a.state : `${a.state}:${a.exitCode}`)));

  it("takes a command from QUEUED through DISPATCHED and RUNNING to COMPLETED, in the submitter's trace", async () => {
    const cmd = await echo(['agent-1']);
    expect(cmd.state).toBe('COMMAND_STATE_QUEUED');
    expect(cmd.priority).toBe('PRIORITY_NORMAL');
    expect(cmd.timeoutSeconds).toBe(300);
    expect(cmd.ttlSeconds).toBe(3600);
    expect(cmd.summary).toMatchObject({ targets: 1, nonRespondersTotal: 0 });
    expect(countOf(cmd, 'QUEUED')).toBe(1);
    const executionId = (await stateOf(cmd.id)).id;

    const { dispatch, traceparent } = await agent1.waitFor((d) => d.executionId === executionId);
    expect(dispatch).toEqual({
      executionId,
      commandId: cmd.id,
      verb: 'exec',
      params: { argv: ['echo', 'hello'] },
      timeoutSeconds: 300,
      priority: 'NORMAL',
      outputCapBytes: OUTPUT_CAP,
    });
    await eventually(
      () => stateOf(cmd.id),
      (e) => e.state === commandV1.CommandState.COMMAND_STATE_DISPATCHED,
    );

    await report({ executionId, agentId: 'agent-1', status: 'RUNNING' });
    await eventually(
      () => stateOf(cmd.id),
      (e) => e.state === commandV1.CommandState.COMMAND_STATE_RUNNING,
    );
    await report({ executionId, agentId: 'agent-1', status: 'COMPLETED', exitCode: 0, stdout: 'hello\n', stderr: '' });
    const done = await eventually(
      () => get(cmd.id),
      (c) => c.state === commandV1.CommandState.COMMAND_STATE_COMPLETED,
    );
    expect(done.summary).toMatchObject({ targets: 1, exitCodes: [{ exitCode: 0, count: 1 }], firstErrors: [] });
    const [e] = (await executions(cmd.id)).executions;
    expect(e).toMatchObject({
      agentId: 'agent-1',
      commandId: cmd.id,
      state: 'COMMAND_STATE_COMPLETED',
      exitCode: 0,
      stdout: 'hello\n',
      error: '',
      attempts: 1,
    });
    expect(e!.dispatchedAt).not.toBe('');
    expect(e!.startedAt).not.toBe('');
    expect(e!.finishedAt).not.toBe('');
    expect(await announcedStates(executionId, 'COMPLETED')).toEqual(['DISPATCHED', 'RUNNING', 'COMPLETED:0']);
    expect(announced.find((a) => a.executionId === executionId)).toMatchObject({ commandId: cmd.id, agentId: 'agent-1' });

    // The NATS request to the hub continues the trace of the SubmitCommand call, across the BullMQ job.
    const traceId = traceparent.split('-')[1];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const spans = await otlp.waitFor((s) => s.some((x) => x.traceId === traceId && x.name === 'command.dispatch'));
    const inTrace = spans.filter((s) => s.traceId === traceId && s.serviceName === 'command');
    expect(inTrace.some((s) => /SubmitCommand/.test(s.name))).toBe(true);
  });

  it('names the bad field with INVALID_ARGUMENT and stores nothing', async () => {
    const emptySelector = { agentIds: [], site: '', labels: {}, capabilities: [], os: '' };
    const cases: [Partial<commandV1.SubmitCommandRequest>, RegExp][] = [
      [{ paramsJson: JSON.stringify({ argv: [] }) }, /params\.argv/],
      [{ paramsJson: '{not json' }, /^params: not valid JSON/],
      [{ verb: 'rm -rf' }, /^verb: unknown verb/],
      [{ targetAgentIds: [] }, /^target_agent_ids:/],
      [{ targetAgentIds: ['agent-1', 'agent-1'] }, /^target_agent_ids: agent agent-1 is listed more than once/],
      [{ targetAgentIds: ['bad id!'] }, /^target_agent_ids\[0\]:/],
      [{ timeoutSeconds: 86_401 }, /^timeout_seconds:/],
      [{ timeoutSeconds: -1 }, /^timeout_seconds:/],
      [{ targetAgentIds: [], selector: emptySelector }, /^selector: must set at least one condition/],
      [{ targetAgentIds: [], selector: { ...emptySelector, site: 'mars' } }, /^selector: matches no agent/],
      [{ maxConcurrency: { percent: 0 } }, /^max_concurrency\.percent:/],
      [{ maxErrors: { count: -1 } }, /^max_errors\.count:/],
    ];
    for (const [override, message] of cases) {
      const req = { verb: 'exec', paramsJson: JSON.stringify({ argv: ['true'] }), targetAgentIds: ['agent-1'], ...override };
      const err = await submit(req).then(
        () => null,
        (e: grpc.ServiceError) => e,
      );
      expect(err?.code, JSON.stringify(override)).toBe(grpc.status.INVALID_ARGUMENT);
      expect(err?.details).toMatch(message);
    }
    const listed = await unary<commandV1.ListCommandsResponse>(client, 'listCommands', { agentId: 'bad id!' }).catch((e: grpc.ServiceError) => e);
    expect((listed as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('answers NOT_FOUND naming an agent agent-hub does not know, and for an unknown command', async () => {
    await expect(echo(['agent-1', 'ghost'])).rejects.toMatchObject({ code: grpc.status.NOT_FOUND, details: 'agent ghost not found' });
    await expect(get('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    await expect(get('not-a-uuid')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    await expect(executions('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it('returns the original command for a repeated idempotency key of the same caller, refuses it with another body, and scopes keys per caller', async () => {
    const first = await echo(['agent-1'], { idempotencyKey: 'retry-me', priority: commandV1.Priority.PRIORITY_HIGH });
    const again = await echo(['agent-1'], { idempotencyKey: 'retry-me', priority: commandV1.Priority.PRIORITY_HIGH });
    expect(again.id).toBe(first.id);
    expect(again.priority).toBe('PRIORITY_HIGH');
    await expect(echo(['agent-1'], { idempotencyKey: 'retry-me' })).rejects.toMatchObject({
      code: grpc.status.ALREADY_EXISTS,
      details: expect.stringMatching(/^idempotency_key: "retry-me" was used for a different request/) as unknown,
    });
    const other = await echo(['agent-1'], { idempotencyKey: 'retry-me', priority: commandV1.Priority.PRIORITY_HIGH, requestedBy: 'someone-else' });
    expect(other.id).not.toBe(first.id);
    await agent1.waitFor((d) => d.commandId === first.id);
    await eventually(
      () => stateOf(first.id),
      (e) => e.state === commandV1.CommandState.COMMAND_STATE_DISPATCHED,
    );
    expect(agent1.received.filter((r) => r.dispatch.commandId === first.id)).toHaveLength(1);
  });

  it('answers concurrent submits with the same idempotency key with one command', async () => {
    const commandsOfAgent1 = async () =>
      (await unary<commandV1.ListCommandsResponse>(client, 'listCommands', { agentId: 'agent-1', pageSize: 100 })).commands.length;
    const before = await commandsOfAgent1();
    const racing = await Promise.all(Array.from({ length: 8 }, () => echo(['agent-1'], { idempotencyKey: 'raced' })));
    expect(new Set(racing.map((c) => c.id)).size).toBe(1);
    expect(await commandsOfAgent1()).toBe(before + 1);
  });

  it('keeps an execution for an offline agent QUEUED without polling, dispatches it when the agent connects, and expires one past its ttl', async () => {
    const cmd = await echo(['agent-offline']);
    const waiting = await eventually(
      () => stateOf(cmd.id),
      (x) => x.reason === 'agent offline' && x.attempts >= 1,
    );
    expect(waiting.state).toBe('COMMAND_STATE_QUEUED');
    const expiring = await echo(['agent-offline'], { ttlSeconds: 1 });

    // No hub answers, and nothing retries on a timer: one attempt each.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await stateOf(cmd.id)).toMatchObject({ state: 'COMMAND_STATE_QUEUED', attempts: 1 });
    const summary = (await get(cmd.id)).summary!;
    expect(summary).toMatchObject({ nonResponders: ['agent-offline'], nonRespondersTotal: 1 });

    const expired = await eventually(
      () => stateOf(expiring.id),
      (x) => x.state === commandV1.CommandState.COMMAND_STATE_EXPIRED,
      15_000,
    );
    expect(expired.error).toBe('agent agent-offline did not take it within 1 s (agent offline)');
    expect((await get(expiring.id)).state).toBe('COMMAND_STATE_EXPIRED');

    // The agent connects (a hub now holds it and says so): what waited is dispatched, what expired is not.
    const offline = new FakeHub(nc, 'agent-offline');
    await nc.flush();
    nc.publish(subjects.event('agent.connected'), JSON.stringify({ agentId: 'agent-offline', sessionId: 's-1', at: new Date().toISOString() }));
    await offline.waitFor((d) => d.commandId === cmd.id);
    await eventually(
      () => stateOf(cmd.id),
      (x) => x.state === commandV1.CommandState.COMMAND_STATE_DISPATCHED && x.reason === '',
    );
    expect(offline.received.some((r) => r.dispatch.commandId === expiring.id)).toBe(false);
  });

  it('times out an execution whose agent never reports, at its run deadline after dispatch', async () => {
    const cmd = await echo(['agent-1'], { timeoutSeconds: 1 });
    await agent1.waitFor((d) => d.commandId === cmd.id);
    expect(agent1.received.find((r) => r.dispatch.commandId === cmd.id)!.dispatch.timeoutSeconds).toBe(1);
    // Deadline = timeout + 5 s grace after dispatch, though its first check was set for its expiry an hour away.
    const e = await eventually(
      () => stateOf(cmd.id),
      (x) => x.state === commandV1.CommandState.COMMAND_STATE_TIMED_OUT,
      20_000,
    );
    expect(e.error).toBe('no result within 1 s of dispatch');
    expect(e.finishedAt).not.toBe('');
    // A late result does not bring it back. Updates are applied in order, so once a later
    // update for another execution shows, the late ones were seen (and ignored).
    const marker = await echo(['agent-1']);
    const markerId = (await stateOf(marker.id)).id;
    await agent1.waitFor((d) => d.commandId === marker.id);
    await report({ executionId: e.id, agentId: 'agent-1', status: 'COMPLETED', exitCode: 0, stdout: 'late\n' });
    await report({ executionId: e.id, agentId: 'agent-1', status: 'RUNNING' });
    await report({ executionId: markerId, agentId: 'agent-1', status: 'RUNNING' });
    await eventually(
      () => stateOf(marker.id),
      (x) => x.state === commandV1.CommandState.COMMAND_STATE_RUNNING,
    );
    expect(await stateOf(cmd.id)).toMatchObject({ state: 'COMMAND_STATE_TIMED_OUT', stdout: '', error: 'no result within 1 s of dispatch' });
    await announcedStates(markerId, 'RUNNING');
    expect(await announcedStates(e.id, 'TIMED_OUT')).toEqual(['DISPATCHED', 'TIMED_OUT']);
  });

  it("ends each execution of one batch at its own deadline: the away agent's at its expiry, the silent one's at its run deadline", async () => {
    // One dispatch job and one deadline job carry both; the deadline job first runs at the
    // expiry (2 s), ends the one still waiting, and comes back for the dispatched one (1 s + 5 s grace).
    const cmd = await echo(['agent-1', 'agent-away'], { timeoutSeconds: 1, ttlSeconds: 2 });
    await agent1.waitFor((d) => d.commandId === cmd.id);
    const ended = await eventually(
      () => executions(cmd.id).then((r) => r.executions),
      (list) => list.every((x) => x.state === commandV1.CommandState.COMMAND_STATE_EXPIRED || x.state === commandV1.CommandState.COMMAND_STATE_TIMED_OUT),
      20_000,
    );
    expect(Object.fromEntries(ended.map((e) => [e.agentId, [e.state, e.error]]))).toEqual({
      'agent-1': [commandV1.CommandState.COMMAND_STATE_TIMED_OUT, 'no result within 1 s of dispatch'],
      'agent-away': [commandV1.CommandState.COMMAND_STATE_EXPIRED, 'agent agent-away did not take it within 2 s (agent offline)'],
    });
  });

  it('tries again only what of a batch its hub did not answer, in a job of its own', async () => {
    const slow = new FakeHub(nc, 'agent-slow');
    slow.hold();
    await nc.flush();
    const cmd = await echo(['agent-1', 'agent-slow']);
    const execs = (await executions(cmd.id)).executions;
    const idOf = (agentId: string) => execs.find((e) => e.agentId === agentId)!.id;
    await agent1.waitFor((d) => d.commandId === cmd.id);
    // agent-slow's hub holds its answer past the 5 s request timeout: a second COMMAND comes.
    await slow.waitFor((d) => d.commandId === cmd.id);
    await eventually(
      () => Promise.resolve(slow.received.filter((r) => r.dispatch.commandId === cmd.id).length),
      (n) => n >= 2,
      20_000,
    );
    slow.release();
    const after = await eventually(
      () => executions(cmd.id).then((r) => r.executions),
      (list) => list.every((x) => x.state === commandV1.CommandState.COMMAND_STATE_DISPATCHED),
    );
    // agent-1's went once; only agent-slow's was claimed again.
    expect(Object.fromEntries(after.map((e) => [e.agentId, e.attempts]))).toMatchObject({ 'agent-1': 1 });
    expect(after.find((e) => e.agentId === 'agent-slow')!.attempts).toBeGreaterThanOrEqual(2);
    expect(agent1.received.filter((r) => r.dispatch.executionId === idOf('agent-1'))).toHaveLength(1);
  });

  it('dispatches a critical command queued behind low ones first, and low ones in order', async () => {
    prio.hold();
    const low = (n: number) =>
      submit({
        verb: 'exec',
        paramsJson: JSON.stringify({ argv: ['echo', `low-${n}`] }),
        targetAgentIds: ['agent-prio'],
        priority: commandV1.Priority.PRIORITY_LOW,
      });
    const low1 = await low(1);
    // low-1 now occupies the only worker slot, waiting for the hub's reply.
    await prio.waitFor((d) => d.commandId === low1.id);
    const low2 = await low(2);
    const low3 = await low(3);
    const critical = await submit({
      verb: 'exec',
      paramsJson: JSON.stringify({ argv: ['echo', 'urgent'] }),
      targetAgentIds: ['agent-prio'],
      priority: commandV1.Priority.PRIORITY_CRITICAL,
    });
    prio.release();
    await prio.waitFor((d) => d.commandId === low3.id);
    expect(prio.received.map((r) => r.dispatch.commandId)).toEqual([low1.id, critical.id, low2.id, low3.id]);
  });

  it("ignores an update that names another agent than the execution's", async () => {
    const cmd = await echo(['agent-1']);
    const executionId = (await stateOf(cmd.id)).id;
    await agent1.waitFor((d) => d.executionId === executionId);
    await report({ executionId, agentId: 'agent-2', status: 'COMPLETED', exitCode: 0, stdout: 'forged\n' });
    // The consumer applies updates in order: once the genuine RUNNING shows, the forged result was seen and ignored.
    await report({ executionId, agentId: 'agent-1', status: 'RUNNING' });
    const e = await eventually(
      () => stateOf(cmd.id),
      (x) => x.state === commandV1.CommandState.COMMAND_STATE_RUNNING,
    );
    expect(e.stdout).toBe('');
    expect(e.exitCode).toBeUndefined();
    // (DISPATCHED may or may not precede: this RUNNING races the dispatcher's own write.)
    expect((await announcedStates(executionId, 'RUNNING')).filter((x) => x !== 'DISPATCHED')).toEqual(['RUNNING']);
  });

  /** The hubs of the six web servers, answering every dispatch. */
  const web = () => [1, 2, 3, 4, 5, 6].map((n) => `web-${n}`);
  let webHubs: Map<string, FakeHub>;
  const dispatchedTo = (commandId: string) =>
    [...webHubs.entries()].filter(([, h]) => h.received.some((r) => r.dispatch.commandId === commandId)).map(([id]) => id);
  const executionFor = async (commandId: string, agentId: string) => (await executions(commandId)).executions.find((x) => x.agentId === agentId)!;

  it('resolves a selector into a frozen target set and skips an agent that lacks the verb', async () => {
    webHubs = new Map(web().map((id) => [id, new FakeHub(nc, id)]));
    await nc.flush();
    const cmd = await onSite('eu', { verb: 'docker.ps', paramsJson: '{}' });
    expect(cmd.summary!.targets).toBe(6);
    expect(cmd.selector).toMatchObject({ site: 'eu', labels: { role: 'web' } });
    expect(countOf(cmd, 'SKIPPED')).toBe(1);
    const skipped = await executionFor(cmd.id, 'web-6');
    expect(skipped).toMatchObject({ state: 'COMMAND_STATE_SKIPPED', reason: "verb docker.ps is not among the agent's capabilities" });
    await eventually(
      () => Promise.resolve(dispatchedTo(cmd.id)),
      (d) => d.length === 5,
    );
    expect(dispatchedTo(cmd.id)).not.toContain('web-6');
  });

  it('keeps at most max_concurrency executions in flight, releasing the next as each finishes', async () => {
    const cmd = await onSite('eu', { maxConcurrency: { percent: 34 } });
    expect(cmd.maxConcurrency).toBe(3); // 34 % of 6, rounded up
    expect(countOf(cmd, 'QUEUED')).toBe(3);
    expect(countOf(cmd, 'PENDING')).toBe(3);
    await eventually(
      () => Promise.resolve(dispatchedTo(cmd.id)),
      (d) => d.length === 3,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(dispatchedTo(cmd.id)).toEqual(['web-1', 'web-2', 'web-3']);
    const first = await executionFor(cmd.id, 'web-1');
    await report({ executionId: first.id, agentId: 'web-1', status: 'COMPLETED', exitCode: 0 });
    await eventually(
      () => Promise.resolve(dispatchedTo(cmd.id)),
      (d) => d.length === 4,
    );
    expect(dispatchedTo(cmd.id)).toContain('web-4');
    expect(countOf(await get(cmd.id), 'PENDING')).toBe(2);
  });

  let failedCommand: commandV1.Command;

  it('skips what is not yet sent once max_errors is exceeded, and ends the command FAILED with the reason', async () => {
    const cmd = await onSite('eu', { maxConcurrency: { count: 1 }, maxErrors: { count: 1 } });
    for (const agentId of ['web-1', 'web-2']) {
      await eventually(
        () => Promise.resolve(dispatchedTo(cmd.id)),
        (d) => d.includes(agentId),
      );
      const e = await executionFor(cmd.id, agentId);
      await report({ executionId: e.id, agentId, status: 'FAILED', exitCode: 2, stderr: 'boom' });
    }
    const done = await eventually(
      () => get(cmd.id),
      (c) => c.state === commandV1.CommandState.COMMAND_STATE_FAILED,
    );
    expect(done.endReason).toBe('max errors exceeded: 2 failed, 1 allowed');
    expect(countOf(done, 'FAILED')).toBe(2);
    expect(countOf(done, 'SKIPPED')).toBe(4);
    expect(done.summary!.exitCodes).toEqual([{ exitCode: 2, count: 2 }]);
    expect(done.summary!.firstErrors.map((e) => e.agentId)).toEqual(['web-1', 'web-2']);
    expect(dispatchedTo(cmd.id)).toEqual(['web-1', 'web-2']);
    const failedOnly = await executions(cmd.id, { state: commandV1.CommandState.COMMAND_STATE_FAILED });
    expect(failedOnly.executions.map((e) => e.agentId)).toEqual(['web-1', 'web-2']);
    expect((await executions(cmd.id, { exitCode: 2, pageSize: 1 })).nextPageToken).not.toBe('');
    failedCommand = done;
  });

  it('retries the failed targets as a new command linked to the old one', async () => {
    const retried = (await unary<commandV1.RetryCommandResponse>(client, 'retryCommand', { commandId: failedCommand.id, requestedBy: 'tester' })).command!;
    expect(retried.retryOf).toBe(failedCommand.id);
    expect(retried.summary!.targets).toBe(2);
    expect(retried.maxConcurrency).toBe(1);
    expect((await executions(retried.id)).executions.map((e) => e.agentId)).toEqual(['web-1', 'web-2']);
    const ok = await echo(['agent-1']);
    await expect(unary(client, 'retryCommand', { commandId: ok.id, requestedBy: 'tester' })).rejects.toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
  });

  it('cancels a command: unsent executions at once, running ones through a CANCEL to their agent', async () => {
    const cmd = await onSite('eu', { maxConcurrency: { count: 2 } });
    await eventually(
      () => Promise.resolve(dispatchedTo(cmd.id)),
      (d) => d.length === 2,
    );
    const running = await executionFor(cmd.id, 'web-1');
    await report({ executionId: running.id, agentId: 'web-1', status: 'RUNNING' });
    await eventually(
      () => executionFor(cmd.id, 'web-1'),
      (e) => e.state === commandV1.CommandState.COMMAND_STATE_RUNNING,
    );
    await eventually(
      () => executionFor(cmd.id, 'web-2'),
      (e) => e.state === commandV1.CommandState.COMMAND_STATE_DISPATCHED,
    );
    const res = await unary<commandV1.CancelCommandResponse>(client, 'cancelCommand', { commandId: cmd.id, requestedBy: 'tester' });
    expect(res).toMatchObject({ cancelled: 4, stopping: 2 });
    expect(res.command!.endReason).toBe('cancelled by tester');
    expect(countOf(res.command!, 'CANCELLED')).toBe(4);
    expect(webHubs.get('web-1')!.cancels).toContain(running.id);
    // The agent stops the process and says so.
    await report({ executionId: running.id, agentId: 'web-1', status: 'CANCELLED', exitCode: 143 });
    const stopped = await eventually(
      () => executionFor(cmd.id, 'web-1'),
      (e) => e.state === commandV1.CommandState.COMMAND_STATE_CANCELLED,
    );
    expect(stopped.exitCode).toBe(143);
    expect(dispatchedTo(cmd.id)).toHaveLength(2); // nothing released after the cancel

    // One execution: unsent → CANCELLED at once.
    const one = await onSite('eu', { maxConcurrency: { count: 1 } });
    const held = await executionFor(one.id, 'web-6');
    const cancelled = await unary<commandV1.CancelExecutionResponse>(client, 'cancelExecution', {
      commandId: one.id,
      executionId: held.id,
      requestedBy: 'tester',
    });
    expect(cancelled.execution).toMatchObject({ state: 'COMMAND_STATE_CANCELLED', error: 'cancelled by tester' });
    await expect(unary(client, 'cancelExecution', { commandId: cmd.id, executionId: held.id, requestedBy: 'tester' })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
  });

  it('stores streamed output once per offset, serves byte ranges, and cuts it at the cap', async () => {
    const cmd = await echo(['agent-1']);
    const e = await stateOf(cmd.id);
    const chunk = (stream: 'stdout' | 'stderr', offset: number, text: string, seq = 0) =>
      js.publish(
        subjects.executionOutput(e.id),
        JSON.stringify({ executionId: e.id, agentId: 'agent-1', stream, seq, offset, data: Buffer.from(text).toString('base64') }),
      );
    const read = (req: Partial<commandV1.GetExecutionOutputRequest>) =>
      unary<commandV1.GetExecutionOutputResponse>(client, 'getExecutionOutput', { commandId: cmd.id, executionId: e.id, ...req });
    // Out of order, and one redelivered.
    await chunk('stdout', 6, 'world\n', 1);
    await chunk('stdout', 0, 'hello ', 0);
    await chunk('stdout', 0, 'hello ', 0);
    await chunk('stderr', 0, 'warn\n', 2);
    // Until the first chunk is stored, a read stops at the gap (nextOffset 0) and says how far it got.
    const all = await eventually(
      () => read({}),
      (r) => Number(r.nextOffset) === 12 && Number(r.storedBytes) === 12,
    );
    expect(Buffer.from(all.data).toString()).toBe('hello world\n');
    expect(all).toMatchObject({ complete: false, truncated: false });
    expect(Number(all.nextOffset)).toBe(12);
    const range = await read({ offset: 3, limit: 5 });
    expect(Buffer.from(range.data).toString()).toBe('lo wo');
    expect(Number(range.nextOffset)).toBe(8);
    const err = await read({ stream: commandV1.OutputStream.OUTPUT_STREAM_STDERR });
    expect(Buffer.from(err.data).toString()).toBe('warn\n');

    // Past the cap: cut, marked truncated, the rest dropped.
    await chunk('stdout', 12, 'x'.repeat(OUTPUT_CAP), 3);
    const capped = await eventually(
      () => read({}),
      (r) => r.truncated,
    );
    expect(Number(capped.storedBytes)).toBe(OUTPUT_CAP);
    await report({ executionId: e.id, agentId: 'agent-1', status: 'COMPLETED', exitCode: 0 });
    const final = await eventually(
      () => read({ offset: OUTPUT_CAP }),
      (r) => r.complete,
    );
    expect(final.data).toHaveLength(0);
    expect((await stateOf(cmd.id)).truncated).toBe(true);
    await expect(read({ executionId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    await expect(read({ offset: -1 })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });

  it("lists an agent's commands newest first, a page at a time", async () => {
    const page1 = await unary<commandV1.ListCommandsResponse>(client, 'listCommands', { agentId: 'agent-prio', pageSize: 3 });
    expect(page1.commands).toHaveLength(3);
    expect(page1.nextPageToken).not.toBe('');
    const page2 = await unary<commandV1.ListCommandsResponse>(client, 'listCommands', { agentId: 'agent-prio', pageSize: 3, pageToken: page1.nextPageToken });
    expect(page2.commands).toHaveLength(1);
    expect(page2.nextPageToken).toBe('');
    const all = [...page1.commands, ...page2.commands];
    const created = all.map((c) => c.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    expect(all.map((c) => verbParamSchemas.exec.parse(JSON.parse(c.paramsJson)).argv[1])).toEqual(['urgent', 'low-3', 'low-2', 'low-1']);
    expect(all.every((c) => c.summary!.targets === 1 && countOf(c, 'DISPATCHED') + countOf(c, 'QUEUED') === 1)).toBe(true);
    const everything = await unary<commandV1.ListCommandsResponse>(client, 'listCommands', { pageSize: 500 });
    const everyCreated = everything.commands.map((c) => c.createdAt);
    expect(everyCreated).toEqual([...everyCreated].sort().reverse());
    expect(everything.commands.map((c) => c.id)).toEqual(expect.arrayContaining(all.map((c) => c.id)));
    // Listings carry the counts per state, and derive the state from all of them.
    const failed = everything.commands.find((c) => c.id === failedCommand.id)!;
    expect(failed).toMatchObject({ state: 'COMMAND_STATE_FAILED', summary: { targets: 6, exitCodes: [], nonResponders: [] } });
    expect(countOf(failed, 'SKIPPED')).toBe(4);
    await expect(unary(client, 'listCommands', { agentId: 'agent-1', pageToken: page1.nextPageToken })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
  });

  it('applies a burst of results and output together: each execution moves once, the first outcome stands, strangers and repeats change nothing', async () => {
    const cmd = await onSite('eu', { verb: 'exec', paramsJson: JSON.stringify({ argv: ['true'] }) });
    await eventually(
      () => Promise.resolve(dispatchedTo(cmd.id)),
      (d) => d.length === 6,
    );
    const targets = await Promise.all(web().map(async (agentId, i) => ({ agentId, i, id: (await executionFor(cmd.id, agentId)).id })));
    await eventually(
      () => executions(cmd.id),
      (r) => r.executions.every((e) => String(e.state) === 'COMMAND_STATE_DISPATCHED'),
    );
    // All at once, so the consumer meets them in as few batches as they arrive in.
    await Promise.all(
      targets.flatMap(({ agentId, i, id }) => [
        report({ executionId: id, agentId, status: 'RUNNING' }),
        js.publish(
          subjects.executionOutput(id),
          JSON.stringify({ executionId: id, agentId, stream: 'stdout', seq: 0, offset: 0, data: Buffer.from(`out ${i}\n`).toString('base64') }),
        ),
        report({ executionId: id, agentId: 'web-intruder', status: 'FAILED', exitCode: 99 }),
        report({ executionId: id, agentId, status: 'COMPLETED', exitCode: i, stdout: `out\u0000${i}\n` }),
        report({ executionId: id, agentId, status: 'FAILED', exitCode: 100 + i }),
        report({ executionId: id, agentId, status: 'RUNNING' }),
      ]),
    );
    const done = await eventually(
      () => executions(cmd.id),
      (r) => r.executions.every((e) => String(e.state) === 'COMMAND_STATE_COMPLETED' && Number(e.stdoutBytes) > 0),
    );
    for (const { agentId, i, id } of targets) {
      expect(done.executions.find((e) => e.agentId === agentId)).toMatchObject({
        exitCode: i,
        stdout: `out\uFFFD${i}\n`,
        stdoutBytes: String(`out ${i}\n`.length),
      });
      expect(await announcedStates(id, 'COMPLETED')).toEqual(['DISPATCHED', 'RUNNING', `COMPLETED:${i}`]);
    }
  });

  it('queues on another instance what an instance killed between storing and queueing left behind', async () => {
    const crashHub = new FakeHub(nc, 'agent-crash');
    await nc.flush();
    // A second instance, whose Redis is behind a proxy that can hang it: its submit stores the
    // command in PostgreSQL, then waits on BullMQ, and is killed there.
    const redis = await startTcpBalancer({ backends: [infra.redis.port] });
    const [crashHttp, crashGrpc] = [await freePort(), await freePort()];
    const crashing = spawnProcess('command-crashing', process.execPath, [...SERVICE_NODE_ARGS], {
      cwd: appDir,
      env: {
        HTTP_PORT: String(crashHttp),
        GRPC_PORT: String(crashGrpc),
        DATABASE_URL: databaseUrl,
        NATS_URL: infra.nats.url,
        REDIS_URL: `redis://127.0.0.1:${redis.port}`,
        AGENT_HUB_GRPC_URL: hub.address,
        QUEUE_RECOVERY_SECONDS: '3600',
      },
    });
    const crashClient = await createGrpcClient('command', `127.0.0.1:${crashGrpc}`);
    try {
      await crashing.waitForHttp(`http://127.0.0.1:${crashHttp}/ready`, 30_000);
      redis.freeze();
      const hanging = unary(crashClient, 'submitCommand', {
        requestedBy: 'tester',
        verb: 'exec',
        paramsJson: JSON.stringify({ argv: ['true'] }),
        targetAgentIds: ['agent-crash'],
      }).catch((e: grpc.ServiceError) => e);
      const [stored] = await eventually(
        () => unary<commandV1.ListCommandsResponse>(client, 'listCommands', { agentId: 'agent-crash' }).then((r) => r.commands),
        (list) => list.length === 1,
      );
      await crashing.stop('SIGKILL');
      expect(await hanging).toMatchObject({ code: grpc.status.UNAVAILABLE });
      expect(crashHub.received).toHaveLength(0);

      // The surviving instance's sweep gives it its jobs: it is sent, and ends like any other.
      const { dispatch } = await crashHub.waitFor((d) => d.commandId === stored!.id, 20_000);
      await report({ executionId: dispatch.executionId, agentId: 'agent-crash', status: 'COMPLETED', exitCode: 0 });
      await eventually(
        () => get(stored!.id),
        (c) => c.state === commandV1.CommandState.COMMAND_STATE_COMPLETED,
      );
      expect(crashHub.received).toHaveLength(1);
      const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      expect(metrics).toMatch(/^fleetplane_command_queue_recovered_total\{service="command"\} 1$/m);
    } finally {
      crashClient.close();
      await crashing.stop('SIGKILL');
      await redis.stop();
    }
  });

  it('reports readiness and its metrics', async () => {
    const ready = await fetch(`http://127.0.0.1:${httpPort}/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, string> };
    expect(body.checks).toMatchObject({ postgres: 'ok', redis: 'ok', nats: 'ok' });
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^fleetplane_command_commands_submitted_total\{[^}]*verb="exec"[^}]*\} \d+/m);
    expect(metrics).toMatch(/^fleetplane_command_executions_finished_total\{[^}]*state="COMPLETED"[^}]*\} [1-9]\d*/m);
    expect(metrics).toMatch(/^fleetplane_command_dispatch_latency_seconds_count\{[^}]*\} \d+/m);
    expect(metrics).toMatch(/^fleetplane_command_submit_duration_seconds_count\{[^}]*outcome="ok"[^}]*\} [1-9]\d*/m);
    expect(metrics).toMatch(/^fleetplane_command_execution_end_to_end_seconds_count\{[^}]*state="COMPLETED"[^}]*\} [1-9]\d*/m);
    expect(metrics).toMatch(/^fleetplane_command_dispatch_queue_jobs\{[^}]*state="prioritized"[^}]*\} \d+/m);
  });

  /** Watch streams opened while every dependency is up; the outages below must show on them. */
  const watches: ReturnType<HealthClient['watch']>[] = [];

  it('answers SERVING on grpc.health.v1 for the server and for CommandService', async () => {
    expect(await health.check('')).toBe('SERVING');
    expect(await health.check(COMMAND_SERVICE)).toBe('SERVING');
    watches.push(health.watch(''), health.watch(COMMAND_SERVICE));
    await Promise.all(watches.map((w) => w.until('SERVING')));
  });

  // These take dependencies away, so they run last.
  it('answers UNAVAILABLE while agent-hub is down, and stays ready (commands queue without it)', async () => {
    await hub.stop();
    const err = await echo(['agent-1']).catch((e: grpc.ServiceError) => e);
    expect((err as grpc.ServiceError).code).toBe(grpc.status.UNAVAILABLE);
    expect((err as grpc.ServiceError).details).toMatch(/^agent-hub unavailable/);
    expect((await fetch(`http://127.0.0.1:${httpPort}/ready`)).status).toBe(200);
  });

  it('answers UNAVAILABLE while PostgreSQL is down, and /ready names it', async () => {
    await infra.postgres.stop();
    const err = await get('00000000-0000-4000-8000-000000000000').catch((e: grpc.ServiceError) => e);
    expect((err as grpc.ServiceError).code).toBe(grpc.status.UNAVAILABLE);
    const ready = await fetch(`http://127.0.0.1:${httpPort}/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { failing: string[] }).failing.some((f) => f.startsWith('postgres:'))).toBe(true);
  });

  it('reports NOT_SERVING on grpc.health.v1 within seconds of PostgreSQL going down', async () => {
    // Watch streams are told of the change (health is re-evaluated every 2 s)...
    await Promise.all(watches.map((w) => w.until('NOT_SERVING', 5_000)));
    // ...having said SERVING before, agent-hub's outage included (it is not a readiness dependency).
    for (const w of watches) expect(w.statuses[0]).toBe('SERVING');
    expect(await health.check('')).toBe('NOT_SERVING');
    expect(await health.check(COMMAND_SERVICE)).toBe('NOT_SERVING');
  });
});
