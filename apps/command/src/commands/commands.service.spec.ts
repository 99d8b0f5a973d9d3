import { beforeEach, describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { commandV1 } from '@fleetplane/contracts/grpc';
import { FakeClock } from '@fleetplane/service-kit';
import type { AgentDirectory, AgentLookup } from '../agents/agent-directory.js';
import { AgentHubUnavailableError } from '../agents/agent-directory.js';
import type { CommandQueue, QueuedExecution } from '../queue/command-queue.js';
import { DEADLINE_GRACE_SECONDS } from '../executions/deadline.js';
import { FakeCommandRepository } from '../testing/fake-command-repository.js';
import { testMetrics } from '../testing/test-metrics.js';
import { CommandsService } from './commands.service.js';

class FakeAgents {
  known = new Set(['agent-1', 'agent-2']);
  down = false;
  lookup(id: string): Promise<AgentLookup> {
    if (this.down) return Promise.reject(new AgentHubUnavailableError('agent-hub unavailable: connect ECONNREFUSED'));
    return Promise.resolve(this.known.has(id) ? 'found' : 'not_found');
  }
}

class FakeQueue {
  enqueued: { executions: QueuedExecution[]; priority: string }[] = [];
  retracted: string[] = [];
  failWith: Error | null = null;
  enqueue(executions: QueuedExecution[], priority: string): Promise<void> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.enqueued.push({ executions, priority });
    return Promise.resolve();
  }
  retract(ids: string[]): Promise<void> {
    this.retracted.push(...ids);
    return Promise.resolve();
  }
}

const request = (o: Partial<commandV1.SubmitCommandRequest> = {}): commandV1.SubmitCommandRequest => ({
  verb: 'exec',
  paramsJson: JSON.stringify({ argv: ['echo', 'hello'] }),
  targetAgentIds: ['agent-1'],
  priority: commandV1.Priority.PRIORITY_HIGH,
  timeoutSeconds: 0,
  requestedBy: 'alice',
  idempotencyKey: '',
  ...o,
});

/** The gRPC status and message a handler error carries. */
async function rpcError(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  const err = await p.then(
    () => null,
    (e: { getError(): { code: number; message: string } }) => e,
  );
  if (!err) throw new Error('expected the call to fail');
  return err.getError();
}

describe(CommandsService.name, () => {
  let repo: FakeCommandRepository;
  let agents: FakeAgents;
  let queue: FakeQueue;
  let service: CommandsService;
  let clock: FakeClock;
  const now = new Date('2026-03-01T12:00:00.000Z');

  beforeEach(() => {
    repo = new FakeCommandRepository();
    agents = new FakeAgents();
    queue = new FakeQueue();
    clock = new FakeClock(now.getTime());
    const limits = { DEFAULT_TIMEOUT_SECONDS: 300, MAX_TIMEOUT_SECONDS: 3600 };
    service = new CommandsService(repo.asRepository(), agents as unknown as AgentDirectory, queue as unknown as CommandQueue, limits, clock, testMetrics());
  });

  it('stores one QUEUED execution per target and queues them at the command priority', async () => {
    const cmd = await service.submit(request({ targetAgentIds: ['agent-1', 'agent-2'] }));
    expect(cmd).toMatchObject({ verb: 'exec', state: 'COMMAND_STATE_QUEUED', priority: 'PRIORITY_HIGH', timeoutSeconds: 300, requestedBy: 'alice' });
    expect(cmd.executions.map((e) => [e.agentId, e.state])).toEqual([
      ['agent-1', 'COMMAND_STATE_QUEUED'],
      ['agent-2', 'COMMAND_STATE_QUEUED'],
    ]);
    expect(queue.enqueued).toHaveLength(1);
    expect(queue.enqueued[0]!.priority).toBe('HIGH');
    expect(queue.enqueued[0]!.executions.map((e) => e.deadlineAt.getTime())).toEqual(Array(2).fill(now.getTime() + (300 + DEADLINE_GRACE_SECONDS) * 1000));
  });

  it('rejects invalid params with INVALID_ARGUMENT naming the field, before any I/O', async () => {
    agents.down = true;
    const err = await rpcError(service.submit(request({ paramsJson: JSON.stringify({ argv: [] }) })));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.message).toMatch(/^params\.argv: /);
    expect(repo.commands.size).toBe(0);
  });

  it('answers NOT_FOUND naming the first unknown agent and stores nothing', async () => {
    const err = await rpcError(service.submit(request({ targetAgentIds: ['agent-1', 'ghost'] })));
    expect(err).toEqual({ code: status.NOT_FOUND, message: 'agent ghost not found' });
    expect(repo.commands.size).toBe(0);
  });

  it('answers UNAVAILABLE when agent-hub cannot be asked', async () => {
    agents.down = true;
    const err = await rpcError(service.submit(request()));
    expect(err.code).toBe(status.UNAVAILABLE);
    expect(err.message).toMatch(/agent-hub unavailable/);
  });

  it('returns the original command for a repeated idempotency key without queueing again', async () => {
    const first = await service.submit(request({ idempotencyKey: 'k' }));
    const again = await service.submit(request({ idempotencyKey: 'k', targetAgentIds: ['agent-2'] }));
    expect(again.id).toBe(first.id);
    expect(queue.enqueued).toHaveLength(1);
  });

  it('undoes the stored command when the queue is down, so nothing half-exists', async () => {
    queue.failWith = new Error('Connection is closed.');
    const err = await rpcError(service.submit(request({ targetAgentIds: ['agent-1', 'agent-2'] })));
    expect(err.code).toBe(status.UNAVAILABLE);
    expect(repo.commands.size).toBe(0);
    expect(repo.executions.size).toBe(0);
    expect(queue.retracted).toHaveLength(2);
  });

  it('answers NOT_FOUND for an unknown or malformed command id', async () => {
    expect((await rpcError(service.get('00000000-0000-4000-8000-000000000000'))).code).toBe(status.NOT_FOUND);
    expect((await rpcError(service.get('nope'))).code).toBe(status.NOT_FOUND);
  });

  it('refuses a negative page size and a foreign page token', async () => {
    expect((await rpcError(service.list({ agentId: '', pageSize: -1, pageToken: '' }))).message).toMatch(/^page_size:/);
    expect((await rpcError(service.list({ agentId: '', pageSize: 0, pageToken: 'zzz' }))).message).toMatch(/^page_token:/);
  });

  it('pages newest first with a token bound to the agent filter', async () => {
    for (const argv of [['one'], ['two'], ['three']]) {
      await service.submit(request({ paramsJson: JSON.stringify({ argv }) }));
      clock.advance(1000);
    }
    const argv0 = (c: commandV1.Command) => (JSON.parse(c.paramsJson) as { argv: string[] }).argv[0];
    const first = await service.list({ agentId: 'agent-1', pageSize: 2, pageToken: '' });
    expect(first.commands.map(argv0)).toEqual(['three', 'two']);
    const rest = await service.list({ agentId: 'agent-1', pageSize: 2, pageToken: first.nextPageToken });
    expect(rest.commands.map(argv0)).toEqual(['one']);
    expect(rest.nextPageToken).toBe('');
    expect(await rpcError(service.list({ agentId: 'agent-2', pageSize: 2, pageToken: first.nextPageToken }))).toEqual({
      code: status.INVALID_ARGUMENT,
      message: 'page_token: was issued for different filters',
    });
  });
});
