import { beforeEach, describe, expect, it } from 'vitest';
import { eventSchemas } from '@fleetplane/contracts';
import type { Execution } from '../generated/prisma/client.js';
import { FakeCommandRepository } from '../testing/fake-command-repository.js';
import { FakeEvents } from '../testing/fake-events.js';
import { ExecutionTransitions } from './execution-transitions.js';

describe(ExecutionTransitions.name, () => {
  let repo: FakeCommandRepository;
  let events: FakeEvents;
  let transitions: ExecutionTransitions;
  let execution: Execution;
  const t0 = new Date('2026-03-01T12:00:00.000Z');
  const t1 = new Date('2026-03-01T12:00:01.000Z');

  beforeEach(async () => {
    repo = new FakeCommandRepository();
    events = new FakeEvents();
    transitions = new ExecutionTransitions(repo.asRepository(), events.asNats());
    const cmd = await repo.seedExecCommand(t0);
    execution = cmd.executions[0]!;
  });

  it('announces every applied move with a payload the event contract accepts', async () => {
    expect(await transitions.markDispatched(execution, t0)).toBe(true);
    expect(await transitions.markRunning(execution, t0)).toBe(true);
    expect(await transitions.finish(execution, { state: 'FAILED', finishedAt: t1, exitCode: 3 })).toBe(true);
    expect(events.emitted.map((e) => e.payload)).toEqual([
      { commandId: execution.commandId, executionId: execution.id, agentId: 'agent-1', state: 'DISPATCHED', at: t0.toISOString() },
      { commandId: execution.commandId, executionId: execution.id, agentId: 'agent-1', state: 'RUNNING', at: t0.toISOString() },
      { commandId: execution.commandId, executionId: execution.id, agentId: 'agent-1', state: 'FAILED', exitCode: 3, at: t1.toISOString() },
    ]);
    for (const e of events.emitted) expect(eventSchemas['execution.updated'].safeParse(e.payload).success).toBe(true);
  });

  it('leaves exitCode out when the process never exited', async () => {
    await transitions.finish(execution, { state: 'TIMED_OUT', finishedAt: t1, exitCode: null, error: 'no result' });
    expect(events.emitted[0]!.payload).not.toHaveProperty('exitCode');
  });

  it('announces nothing when the move did not apply', async () => {
    await transitions.finish(execution, { state: 'COMPLETED', finishedAt: t1, exitCode: 0 });
    events.emitted.length = 0;
    expect(await transitions.markDispatched(execution, t1)).toBe(false);
    expect(await transitions.markRunning(execution, t1)).toBe(false);
    expect(await transitions.finish(execution, { state: 'FAILED', finishedAt: t1 })).toBe(false);
    expect(events.emitted).toEqual([]);
  });

  it('keeps the applied state when the event cannot be published (the database is the truth)', async () => {
    events.failing = true;
    expect(await transitions.markRunning(execution, t0)).toBe(true);
    expect(repo.executions.get(execution.id)!.state).toBe('RUNNING');
  });
});
