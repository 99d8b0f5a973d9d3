import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@fleetplane/service-kit';
import { NatsRequestError, type NatsClient } from '@fleetplane/service-kit/nats';
import { ExecutionTransitions } from '../executions/execution-transitions.js';
import { FakeCommandRepository } from '../testing/fake-command-repository.js';
import { FakeEvents } from '../testing/fake-events.js';
import { testMetrics } from '../testing/test-metrics.js';
import { Dispatcher } from './dispatcher.service.js';

type Reply = { accepted: boolean; reason?: string } | Error;

class FakeNats {
  requests: { subject: string; payload: unknown }[] = [];
  replies: Reply[] = [];
  request(subject: string, payload: unknown): Promise<{ accepted: boolean; reason?: string }> {
    this.requests.push({ subject, payload });
    const r = this.replies.shift() ?? { accepted: true };
    return r instanceof Error ? Promise.reject(r) : Promise.resolve(r);
  }
}

describe(Dispatcher.name, () => {
  let repo: FakeCommandRepository;
  let nats: FakeNats;
  let events: FakeEvents;
  let dispatcher: Dispatcher;
  let clock: FakeClock;
  let executionId: string;

  beforeEach(async () => {
    repo = new FakeCommandRepository();
    nats = new FakeNats();
    events = new FakeEvents();
    clock = new FakeClock(Date.parse('2026-03-01T12:00:00Z'));
    const transitions = new ExecutionTransitions(repo.asRepository(), events.asNats());
    dispatcher = new Dispatcher(repo.asRepository(), transitions, nats as unknown as NatsClient, clock, testMetrics());
    const cmd = await repo.seedExecCommand(clock.now(), ['echo', 'hello']);
    executionId = cmd.executions[0]!.id;
  });

  it("sends the CommandDispatch to the agent's subject and marks the execution DISPATCHED", async () => {
    expect(await dispatcher.dispatch(executionId)).toEqual({ kind: 'dispatched' });
    const e = repo.executions.get(executionId)!;
    expect(nats.requests).toEqual([
      {
        subject: 'fleet.agents.agent-1.commands',
        payload: { executionId, commandId: e.commandId, verb: 'exec', params: { argv: ['echo', 'hello'] }, timeoutSeconds: 30 },
      },
    ]);
    expect(e).toMatchObject({ state: 'DISPATCHED', attempts: 1, dispatchedAt: clock.now() });
    expect(events.emitted).toEqual([
      { name: 'execution.updated', payload: { commandId: e.commandId, executionId, agentId: 'agent-1', state: 'DISPATCHED', at: clock.now().toISOString() } },
    ]);
  });

  it('retries with growing delays while no hub holds the agent', async () => {
    nats.replies = [new NatsRequestError('none', 'no_responders'), new NatsRequestError('none', 'no_responders')];
    expect(await dispatcher.dispatch(executionId)).toEqual({ kind: 'retry', delayMs: 500 });
    expect(await dispatcher.dispatch(executionId)).toEqual({ kind: 'retry', delayMs: 1000 });
    expect(repo.executions.get(executionId)).toMatchObject({ state: 'QUEUED', attempts: 2 });
    expect(events.emitted).toEqual([]);
  });

  it('fails the execution as "not connected" when the next retry would miss the deadline', async () => {
    clock.advance(34_800);
    nats.replies = [new NatsRequestError('none', 'no_responders')];
    expect(await dispatcher.dispatch(executionId)).toEqual({ kind: 'failed', error: 'agent agent-1 is not connected' });
    expect(repo.executions.get(executionId)).toMatchObject({ state: 'FAILED', error: 'agent agent-1 is not connected', finishedAt: clock.now() });
    expect(events.emitted.map((x) => x.payload)).toEqual([expect.objectContaining({ executionId, state: 'FAILED', at: clock.now().toISOString() })]);
  });

  it('treats a refusal from the hub as transient', async () => {
    nats.replies = [{ accepted: false, reason: 'socket closed' }];
    expect(await dispatcher.dispatch(executionId)).toEqual({ kind: 'retry', delayMs: 500 });
  });

  it('fails at once on a reply that breaks the contract', async () => {
    nats.replies = [new NatsRequestError('invalid reply', 'invalid_reply')];
    expect(await dispatcher.dispatch(executionId)).toEqual({ kind: 'failed', error: 'dispatch failed: invalid reply' });
  });

  it('fails at once when the stored params no longer validate, without asking the hub', async () => {
    const e = repo.executions.get(executionId)!;
    repo.commands.get(e.commandId)!.params = { argv: [] };
    const outcome = await dispatcher.dispatch(executionId);
    expect(outcome).toMatchObject({ kind: 'failed', error: expect.stringMatching(/params\.argv/) as unknown });
    expect(nats.requests).toHaveLength(0);
  });

  it('does nothing for an execution that is already dispatched, finished, past its deadline or gone', async () => {
    await dispatcher.dispatch(executionId);
    expect(await dispatcher.dispatch(executionId)).toEqual({ kind: 'skipped', reason: 'already DISPATCHED' });
    expect(await dispatcher.dispatch('00000000-0000-4000-8000-000000000000')).toMatchObject({ kind: 'skipped' });
    repo.executions.get(executionId)!.state = 'QUEUED';
    clock.advance(36_000);
    expect(await dispatcher.dispatch(executionId)).toEqual({ kind: 'skipped', reason: 'past its deadline' });
    expect(nats.requests).toHaveLength(1);
  });

  it('does not move an execution the agent already reported RUNNING back to DISPATCHED', async () => {
    nats.request = async (subject, payload) => {
      await repo.markRunning(executionId, clock.now());
      return { accepted: true, subject, payload } as never;
    };
    expect(await dispatcher.dispatch(executionId)).toEqual({ kind: 'dispatched' });
    expect(repo.executions.get(executionId)!.state).toBe('RUNNING');
    expect(events.emitted).toEqual([]);
  });
});
