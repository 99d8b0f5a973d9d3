import { beforeEach, describe, expect, it } from 'vitest';
import type { ExecutionUpdate } from '@fleetplane/contracts';
import { ExecutionTransitions } from '../executions/execution-transitions.js';
import { FakeCommandRepository } from '../testing/fake-command-repository.js';
import { FakeEvents } from '../testing/fake-events.js';
import { testMetrics } from '../testing/test-metrics.js';
import { ExecutionUpdatesService } from './execution-updates.service.js';

describe(ExecutionUpdatesService.name, () => {
  let repo: FakeCommandRepository;
  let events: FakeEvents;
  let service: ExecutionUpdatesService;
  let executionId: string;
  const at = '2026-03-01T12:00:01.000Z';
  const update = (u: Partial<ExecutionUpdate>): ExecutionUpdate => ({ executionId, agentId: 'agent-1', status: 'RUNNING', at, ...u });

  beforeEach(async () => {
    repo = new FakeCommandRepository();
    events = new FakeEvents();
    service = new ExecutionUpdatesService(repo.asRepository(), new ExecutionTransitions(repo.asRepository(), events.asNats()), testMetrics());
    const cmd = await repo.seedExecCommand(new Date(at));
    executionId = cmd.executions[0]!.id;
  });

  it('RUNNING sets startedAt; a final state sets finishedAt, exit code and output', async () => {
    expect(await service.apply(update({}))).toBe('applied');
    expect(repo.executions.get(executionId)).toMatchObject({ state: 'RUNNING', startedAt: new Date(at) });
    const end = '2026-03-01T12:00:02.000Z';
    expect(await service.apply(update({ status: 'COMPLETED', exitCode: 0, stdout: 'hello\n', stderr: '', at: end }))).toBe('applied');
    expect(repo.executions.get(executionId)).toMatchObject({
      state: 'COMPLETED',
      exitCode: 0,
      stdout: 'hello\n',
      stderr: '',
      truncated: false,
      error: '',
      finishedAt: new Date(end),
    });
    const commandId = repo.executions.get(executionId)!.commandId;
    expect(events.emitted).toEqual([
      { name: 'execution.updated', payload: { commandId, executionId, agentId: 'agent-1', state: 'RUNNING', at } },
      { name: 'execution.updated', payload: { commandId, executionId, agentId: 'agent-1', state: 'COMPLETED', exitCode: 0, at: end } },
    ]);
  });

  it('records a failure with its error and truncation', async () => {
    await service.apply(update({ status: 'FAILED', exitCode: 2, stderr: 'x'.repeat(10), truncated: true, error: '' }));
    expect(repo.executions.get(executionId)).toMatchObject({ state: 'FAILED', exitCode: 2, truncated: true });
  });

  it("ignores an update naming another agent than the execution's", async () => {
    expect(await service.apply(update({ agentId: 'agent-2', status: 'COMPLETED', exitCode: 0, stdout: 'forged' }))).toBe('foreign_agent');
    expect(repo.executions.get(executionId)).toMatchObject({ state: 'QUEUED', stdout: '' });
    expect(events.emitted).toEqual([]);
  });

  it('never moves a finished execution back, nor re-finishes it', async () => {
    await service.apply(update({ status: 'TIMED_OUT', exitCode: 137 }));
    expect(await service.apply(update({ status: 'RUNNING' }))).toBe('already_finished');
    expect(await service.apply(update({ status: 'COMPLETED', exitCode: 0 }))).toBe('already_finished');
    expect(repo.executions.get(executionId)).toMatchObject({ state: 'TIMED_OUT', exitCode: 137 });
    // Only the move that happened is announced; the duplicates after it are silent.
    expect(events.emitted.map((x) => (x.payload as { state: string }).state)).toEqual(['TIMED_OUT']);
  });

  it('ignores updates for executions it does not have', async () => {
    expect(await service.apply(update({ executionId: '00000000-0000-4000-8000-000000000000' }))).toBe('unknown_execution');
    expect(await service.apply(update({ executionId: 'not-a-uuid' }))).toBe('unknown_execution');
    expect(events.emitted).toEqual([]);
  });

  it('announces nothing for a RUNNING that arrives after the result (stale)', async () => {
    await repo.finish(executionId, { state: 'COMPLETED', finishedAt: new Date(at), exitCode: 0 });
    expect(await service.apply(update({ status: 'RUNNING' }))).toBe('already_finished');
    expect(events.emitted).toEqual([]);
  });
});
