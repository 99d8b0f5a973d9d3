import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import {
  commandDispatchSchema,
  eventSchemas,
  subjects,
  verbParamSchemas,
  type CommandDispatch,
  type EventPayload,
  type ExecutionUpdate,
} from '@fleetplane/contracts';
import { commandV1, createGrpcClient, serveGrpc, unary } from '@fleetplane/contracts/grpc';
import { deployMigrations } from '@fleetplane/prisma-migrate';
import { HealthClient } from '@fleetplane/service-kit/grpc';
import {
  freePort,
  spawnProcess,
  startInfra,
  startOtlpReceiver,
  type Infra,
  type ManagedProcess,
  type OtlpReceiver,
  SERVICE_NODE_ARGS,
} from '@fleetplane/test-harness';

// The built service as its own process, against real PostgreSQL, Redis and NATS.
// agent-hub is not ours: a real gRPC server answers GetAgent for a few known agents,
// and NATS subscribers on the agents' command subjects play the hubs holding them.

const appDir = new URL('../', import.meta.url).pathname;
const KNOWN_AGENTS = new Set(['agent-1', 'agent-offline', 'agent-prio']);
const COMMAND_SERVICE = `fleetplane.command.v1.${commandV1.COMMAND_SERVICE_NAME}`;

type CommandClient = Awaited<ReturnType<typeof createGrpcClient>>;

/** A real AgentHubService that knows a fixed set of agents. */
function startFakeAgentHub(): Promise<{ address: string; stop: () => Promise<void> }> {
  const unimplemented = (_: unknown, cb: grpc.sendUnaryData<unknown>) => cb({ code: grpc.status.UNIMPLEMENTED, details: 'not in this test' });
  return serveGrpc('agentHub', {
    getAgent: (call: grpc.ServerUnaryCall<{ agentId: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      const { agentId } = call.request;
      if (!KNOWN_AGENTS.has(agentId)) return cb({ code: grpc.status.NOT_FOUND, details: `agent ${agentId} not found` });
      cb(null, { agent: { id: agentId, site: 'test', connected: true, capabilities: [], labels: {} } });
    },
    enrollAgent: unimplemented,
    listAgents: unimplemented,
  });
}

/** Plays the hub holding one agent's socket: accepts every dispatch and remembers it (with its trace header). */
class FakeHub {
  readonly received: { dispatch: CommandDispatch; traceparent: string }[] = [];
  private waiters: (() => void)[] = [];
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;

  constructor(nc: NatsConnection, agentId: string) {
    nc.subscribe(subjects.agentCommands(agentId), {
      callback: (err, msg) => {
        if (!err) void this.handle(msg);
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
  let httpPort: number;
  let grpcPort: number;
  let health: HealthClient;
  let agent1: FakeHub;
  let prio: FakeHub;
  /** Every execution.updated the service announced, in arrival order. */
  const announced: EventPayload<'execution.updated'>[] = [];

  beforeAll(async () => {
    [infra, otlp, hub] = await Promise.all([startInfra(), startOtlpReceiver(), startFakeAgentHub()]);
    const databaseUrl = await infra.postgres.createDatabase('command');
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
  const echo = (targets: string[], extra: Partial<commandV1.SubmitCommandRequest> = {}) =>
    submit({ verb: 'exec', paramsJson: JSON.stringify({ argv: ['echo', 'hello'] }), targetAgentIds: targets, ...extra });
  const report = (u: Omit<ExecutionUpdate, 'at'>) =>
    js.publish(subjects.executionUpdates(u.executionId), JSON.stringify({ ...u, at: new Date().toISOString() }));
  const stateOf = (id: string) => get(id).then((c) => c.executions[0]!);
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
    expect(cmd.executions).toHaveLength(1);
    const executionId = cmd.executions[0]!.id;

    const { dispatch, traceparent } = await agent1.waitFor((d) => d.executionId === executionId);
    expect(dispatch).toEqual({ executionId, commandId: cmd.id, verb: 'exec', params: { argv: ['echo', 'hello'] }, timeoutSeconds: 300 });
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
    expect(done.executions[0]).toMatchObject({
      agentId: 'agent-1',
      state: 'COMMAND_STATE_COMPLETED',
      exitCode: 0,
      stdout: 'hello\n',
      stderr: '',
      error: '',
      attempts: 1,
    });
    expect(done.executions[0]!.dispatchedAt).not.toBe('');
    expect(done.executions[0]!.startedAt).not.toBe('');
    expect(done.executions[0]!.finishedAt).not.toBe('');
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
    const cases: [Partial<commandV1.SubmitCommandRequest>, RegExp][] = [
      [{ paramsJson: JSON.stringify({ argv: [] }) }, /params\.argv/],
      [{ paramsJson: '{not json' }, /^params: not valid JSON/],
      [{ verb: 'rm -rf' }, /^verb: unknown verb/],
      [{ targetAgentIds: [] }, /^target_agent_ids:/],
      [{ targetAgentIds: ['agent-1', 'agent-1'] }, /^target_agent_ids: agent agent-1 is listed more than once/],
      [{ targetAgentIds: ['bad id!'] }, /^target_agent_ids\[0\]:/],
      [{ timeoutSeconds: 86_401 }, /^timeout_seconds:/],
      [{ timeoutSeconds: -1 }, /^timeout_seconds:/],
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
  });

  it('returns the original command for a repeated idempotency key, and dispatches it once', async () => {
    const first = await echo(['agent-1'], { idempotencyKey: 'retry-me', priority: commandV1.Priority.PRIORITY_HIGH });
    const again = await echo(['agent-1'], { idempotencyKey: 'retry-me' });
    expect(again.id).toBe(first.id);
    expect(again.priority).toBe('PRIORITY_HIGH');
    await agent1.waitFor((d) => d.commandId === first.id);
    await eventually(
      () => stateOf(first.id),
      (e) => e.state === commandV1.CommandState.COMMAND_STATE_DISPATCHED,
    );
    expect(agent1.received.filter((r) => r.dispatch.commandId === first.id)).toHaveLength(1);
  });

  it('fails an execution whose agent no hub serves by its deadline', async () => {
    const cmd = await echo(['agent-offline'], { timeoutSeconds: 1 });
    const e = await eventually(
      () => stateOf(cmd.id),
      (x) => x.state === commandV1.CommandState.COMMAND_STATE_FAILED || x.state === commandV1.CommandState.COMMAND_STATE_TIMED_OUT,
      20_000,
    );
    expect(e.error).toMatch(/^(agent agent-offline is not connected|no result within \d+ s)$/);
    expect(e.attempts).toBeGreaterThan(1); // retried with backoff before giving up
    expect((await get(cmd.id)).state).toBe(e.state);
  });

  it('times out an execution whose agent never reports, at its deadline', async () => {
    const cmd = await echo(['agent-1'], { timeoutSeconds: 1 });
    await agent1.waitFor((d) => d.commandId === cmd.id);
    // Deadline = timeout + 5 s grace after submission; the agent was given the 1 s.
    expect(agent1.received.find((r) => r.dispatch.commandId === cmd.id)!.dispatch.timeoutSeconds).toBe(1);
    const e = await eventually(
      () => stateOf(cmd.id),
      (x) => x.state === commandV1.CommandState.COMMAND_STATE_TIMED_OUT,
      20_000,
    );
    expect(e.error).toBe('no result within 6 s');
    expect(e.finishedAt).not.toBe('');
    // A late result does not bring it back. Updates are applied in order, so once a later
    // update for another execution shows, the late ones were seen (and ignored).
    const marker = await echo(['agent-1']);
    await agent1.waitFor((d) => d.commandId === marker.id);
    await report({ executionId: e.id, agentId: 'agent-1', status: 'COMPLETED', exitCode: 0, stdout: 'late\n' });
    await report({ executionId: e.id, agentId: 'agent-1', status: 'RUNNING' });
    await report({ executionId: marker.executions[0]!.id, agentId: 'agent-1', status: 'RUNNING' });
    await eventually(
      () => stateOf(marker.id),
      (x) => x.state === commandV1.CommandState.COMMAND_STATE_RUNNING,
    );
    expect(await stateOf(cmd.id)).toMatchObject({ state: 'COMMAND_STATE_TIMED_OUT', stdout: '', error: 'no result within 6 s' });
    // Events come from one connection in order: once the marker's RUNNING is announced, so would the late ones have been.
    await announcedStates(marker.executions[0]!.id, 'RUNNING');
    expect(await announcedStates(e.id, 'TIMED_OUT')).toEqual(['DISPATCHED', 'TIMED_OUT']);
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
    const executionId = cmd.executions[0]!.id;
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
    // The forged result was consumed before the RUNNING, so it would be announced before it: it was not.
    // (DISPATCHED may or may not precede: this RUNNING races the dispatcher's own write.)
    expect((await announcedStates(executionId, 'RUNNING')).filter((x) => x !== 'DISPATCHED')).toEqual(['RUNNING']);
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
    expect(all.every((c) => c.executions.every((e) => e.agentId === 'agent-prio'))).toBe(true);
    const everything = await unary<commandV1.ListCommandsResponse>(client, 'listCommands', {});
    const everyCreated = everything.commands.map((c) => c.createdAt);
    expect(everyCreated).toEqual([...everyCreated].sort().reverse());
    expect(everything.commands.map((c) => c.id)).toEqual(expect.arrayContaining(all.map((c) => c.id)));
    expect(new Set(everything.commands.flatMap((c) => c.executions.map((e) => e.agentId)))).toEqual(new Set(['agent-1', 'agent-offline', 'agent-prio']));
    // Listings leave the output out; GetCommand has it.
    const completed = everything.commands.find((c) => c.state === commandV1.CommandState.COMMAND_STATE_COMPLETED)!;
    expect(completed.executions[0]).toMatchObject({ exitCode: 0, stdout: '' });
    expect((await get(completed.id)).executions[0]!.stdout).toBe('hello\n');
    await expect(unary(client, 'listCommands', { agentId: 'agent-1', pageToken: page1.nextPageToken })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
  });

  it('reports readiness and its metrics', async () => {
    const ready = await fetch(`http://127.0.0.1:${httpPort}/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, string> };
    expect(body.checks).toMatchObject({ postgres: 'ok', redis: 'ok', nats: 'ok' });
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^fleetplane_command_commands_submitted_total\{[^}]*verb="exec"[^}]*\} \d+/m);
    expect(metrics).toMatch(/^fleetplane_command_executions_finished_total\{[^}]*state="COMPLETED"[^}]*\} 1/m);
    expect(metrics).toMatch(/^fleetplane_command_dispatch_latency_seconds_count\{[^}]*\} \d+/m);
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
